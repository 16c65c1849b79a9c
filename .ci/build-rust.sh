#!/usr/bin/env bash
# Builds every single-file Rust guest under $1 into $2/<name>.wasm with Debian's rustc (wasm32-wasi,
# std only, no cargo). Debian's rustc is called by path: a rustup toolchain earlier on PATH has no
# wasm std. Installs the toolchain first when missing (.ci/ensure-tools.sh rust).
set -euo pipefail
src="$1"; out="$2"
mkdir -p "$out"
RUSTC="${RUSTC_WASI:-/usr/bin/rustc}"
[[ -x "$RUSTC" && -d /usr/lib/rustlib/wasm32-wasi ]] || "$(dirname "$0")/ensure-tools.sh" rust
shopt -s nullglob
for f in "$src"/*.rs; do
  name="$(basename "$f" .rs)"
  if [[ ! -f "$out/$name.wasm" || "$f" -nt "$out/$name.wasm" ]]; then
    "$RUSTC" --edition 2021 --target wasm32-wasi -O -C strip=debuginfo -o "$out/$name.wasm" "$f"
  fi
done
