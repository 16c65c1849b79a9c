#!/usr/bin/env bash
# A tour of the corral CLI (samples/cli/README.md lists the steps): the demo plugin from WAT as a
# WASI command and through an export, then, when the build made them, a Rust guest-SDK plugin, the
# capabilities module's C plugin under file grants, and the README's Java example.
# Needs: wat2wasm (Debian's wabt) and samples/cli/target/corral.jar (./mvnw -B -pl samples/cli -am package);
# runs it through the launcher samples/cli/corral (compile cache + CDS archive: a fast start).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$root"
jar=samples/cli/target/corral.jar
[[ -f "$jar" ]] || { echo "no $jar: build it first with ./mvnw -B -pl samples/cli -am package" >&2; exit 1; }
command -v wat2wasm >/dev/null || .ci/ensure-tools.sh wabt

mkdir -p samples/cli/target/demo
wat2wasm samples/cli/demo/hello.wat -o samples/cli/target/demo/hello.wasm

demo=samples/cli/target/demo
data="$demo/data"
rm -rf "$data" && mkdir -p "$data" && echo "hello from the host" > "$data/input.txt"
fsdemo=capabilities/target/test-classes/wasm/fsdemo.wasm   # a C plugin (clang + wasi-libc), built by ./mvnw package

step() { printf '\n== %s\n' "$*"; }

step "a WASI command: only stdout/stderr are granted"
samples/cli/corral run "$demo/hello.wasm"

step "an export called with typed arguments, under a 2 s deadline and a 16 MiB memory bound"
samples/cli/corral run --timeout 2s --max-memory 16MiB "$demo/hello.wasm" --invoke add 2 3

if [[ -f guest-sdks/out/rust-hello.wasm ]]; then
  step "a Rust plugin (guest SDK): a string in, a string out, through the Corral ABI"
  samples/cli/corral run guest-sdks/out/rust-hello.wasm --invoke greet --input Corral
fi

if [[ -f "$fsdemo" ]]; then
  step "a C plugin granted $data READ-ONLY at /data, one env var, a fixed clock and seeded random"
  step "(its write and both escape attempts are denied with an errno; nothing outside /data is touched)"
  samples/cli/corral run --dir "$data::/data:ro" --env GREETING=hi --clock fixed:2020-01-01T00:00:00Z \
      --random seed:42 "$fsdemo"
  step "the same plugin, /data now READ-WRITE: the write lands in $data, the escapes still fail"
  samples/cli/corral run --dir "$data::/data:rw" --env GREETING=hi --clock fixed:2020-01-01T00:00:00Z \
      --random seed:42 "$fsdemo"
  ls "$data"
fi

if [[ -f samples/hello-host/target/module-path.txt ]]; then
  step "the README's Java example: a host function, logging, a typed guest interface (samples/hello-host)"
  samples/hello-host/run.sh
fi
