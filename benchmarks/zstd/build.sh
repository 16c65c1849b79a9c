#!/usr/bin/env bash
# Builds zstd (libzstd from Debian's source package, pinned below) as a wasm32-wasi reactor with
# Debian's clang + wasi-libc, plus zstd_entry.c, into $2/zstd.wasm; also writes $2/zstd-input.bin,
# the benchmark's input (zstd's own library sources, concatenated: real text, same on every machine).
# $1 is a work directory (under target/). Idempotent and cached: nothing runs when the outputs are
# newer than this script and the entry point. The source comes through apt's own client with a
# private configuration (deb-src line, package lists and downloads under $1): the machine's apt
# setup is not touched, and apt checks the files against Debian's signed release.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$1"; out="$2"
version="1.5.4+dfsg2-5"          # bookworm's libzstd
upstream="1.5.4"
if [[ -f "$out/zstd.wasm" && -f "$out/zstd-input.bin" && "$out/zstd.wasm" -nt "$0" && "$out/zstd.wasm" -nt "$here/zstd_entry.c" ]]; then
  exit 0
fi
"$here/../../.ci/ensure-tools.sh" c xz
mkdir -p "$work" "$out"
src="$work/zstd-$upstream"
if [[ ! -d "$src/lib" ]]; then
  apt="$work/apt"
  mkdir -p "$apt/parts" "$apt/lists/partial" "$apt/cache/archives/partial" "$work/download"
  cat > "$apt/parts/debian-src.sources" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  opts=(-q -o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$apt/parts" -o "Dir::State::Lists=$apt/lists"
        -o "Dir::Cache=$apt/cache" -o "APT::Sandbox::User=$(id -un)")
  apt-get "${opts[@]}" update >&2
  (cd "$work/download" && apt-get "${opts[@]}" source --download-only "libzstd=$version" >&2)
  tar -xJf "$work/download/libzstd_${version%-*}.orig.tar.xz" -C "$work"
fi
lib="$src/lib"
files=("$lib"/common/*.c "$lib"/compress/*.c "$lib"/decompress/*.c)
# single-threaded (ZSTD_MULTITHREAD undefined), no legacy formats, no x86 assembly (wasm32); -O2 as Debian builds it
clang --target=wasm32-wasi -mexec-model=reactor -O2 -DZSTD_LEGACY_SUPPORT=0 \
    -DZSTD_DISABLE_ASM -DXXH_NAMESPACE=ZSTD_ -DDEBUGLEVEL=0 -I"$lib" -I"$lib/common" \
    -Wl,-z,stack-size=1048576 \
    -o "$out/zstd.wasm.tmp" "$here/zstd_entry.c" "${files[@]}"
cat "$lib"/common/*.[ch] "$lib"/compress/*.[ch] "$lib"/decompress/*.[ch] > "$out/zstd-input.bin.tmp"
mv "$out/zstd-input.bin.tmp" "$out/zstd-input.bin"
mv "$out/zstd.wasm.tmp" "$out/zstd.wasm"
