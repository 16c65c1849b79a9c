#!/usr/bin/env bash
# Builds every C guest under $1 into $2/<name>.wasm with Debian's clang + wasi-libc (wasm32-wasi).
# Guests are committed as C source only; .ci/setup-c.sh installs the toolchain when missing.
set -euo pipefail
src="$1"; out="$2"
mkdir -p "$out"
CLANG="${CLANG:-clang}"
if [[ -z "${WASI_SYSROOT:-}" ]]; then
  "$(dirname "$0")/setup-c.sh"
fi
# Debian's clang finds Debian's wasi-libc by itself; WASI_SYSROOT points elsewhere if needed
flags=(--target=wasm32-wasi -O2 -Wall -Werror)
[[ -n "${WASI_SYSROOT:-}" ]] && flags+=(--sysroot="$WASI_SYSROOT")
shopt -s nullglob
for f in "$src"/*.c; do
  name="$(basename "$f" .c)"
  if [[ ! -f "$out/$name.wasm" || "$f" -nt "$out/$name.wasm" ]]; then
    "$CLANG" "${flags[@]}" -o "$out/$name.wasm" "$f"
  fi
done
