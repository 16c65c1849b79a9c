#!/usr/bin/env bash
# Makes target/corral.jsa, an AppCDS archive of the classes a `corral run` loads (JDK 17 dynamic
# archive): the launcher samples/cli/corral maps it, so the JVM skips loading, parsing and
# verifying them again. Training: one run to fill a compile cache, one run that hits it (the
# common case) dumping the archive at exit. The archive is tied to this JVM build and this jar:
# the build remakes it after every shade, and a JVM that cannot use it just ignores it.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/../.." && pwd)"
target="$here/target"
jar="$target/corral.jar"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
[[ -f "$jar" ]] || { echo "make-archive: no $jar" >&2; exit 1; }
command -v wat2wasm >/dev/null || "$root/.ci/ensure-tools.sh" wabt
work="$target/cds-training"
rm -rf "$work" "$target/corral.jsa" && mkdir -p "$work"
wat2wasm "$here/demo/hello.wat" -o "$work/train.wasm"
train=(run --cache-dir "$work/cache" "$work/train.wasm" --invoke add 1 2)
"$java" -jar "$jar" "${train[@]}" >/dev/null
# picocli's classes are Java 5 class files, which CDS does not archive: it says so once per class
"$java" -XX:ArchiveClassesAtExit="$target/corral.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off -jar "$jar" "${train[@]}" >/dev/null
# check it maps (-Xshare:on fails instead of falling back); a JVM that cannot map it gets no archive
if ! out="$("$java" -Xshare:on -XX:SharedArchiveFile="$target/corral.jsa" -jar "$jar" "${train[@]}" 2>&1)" || [[ "$out" != 3 ]]; then
  echo "make-archive: the JVM cannot use the archive ($out); samples/cli/corral runs without it" >&2
  rm -f "$target/corral.jsa"
fi
