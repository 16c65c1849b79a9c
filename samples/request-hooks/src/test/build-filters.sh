#!/usr/bin/env bash
# Builds the test filters into $1 from source, only when a source is newer than its .wasm:
#  - c/*.c: raw proxy-wasm ABI in C, freestanding wasm32 (clang + lld; .ci/setup-c.sh installs them);
#  - assemblyscript/assembly/*.ts: filters on @solo-io/proxy-runtime, with the compiler and SDK
#    pinned by assemblyscript/package-lock.json (installed by assemblyscript/install.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
out="$1"
mkdir -p "$out"

"$root/.ci/setup-c.sh"
CLANG="${CLANG:-clang}"
shopt -s nullglob
for f in "$here"/c/*.c; do
  name="$(basename "$f" .c)"
  if [[ ! -f "$out/$name.wasm" || "$f" -nt "$out/$name.wasm" || "$here/c/proxy_abi.h" -nt "$out/$name.wasm" ]]; then
    "$CLANG" --target=wasm32-unknown-unknown -O2 -Wall -Werror -nostdlib -fvisibility=default \
      -Wl,--no-entry -Wl,--export-dynamic -Wl,--export=__heap_base -o "$out/$name.wasm" "$f"
  fi
done

as="$here/assemblyscript"
stale=0
for f in "$as"/assembly/*.ts; do
  name="$(basename "$f" .ts)"
  [[ -f "$out/$name.wasm" && "$out/$name.wasm" -nt "$f" ]] || stale=1
done
if [[ $stale == 1 ]]; then
  "$as/install.sh"
  for f in "$as"/assembly/*.ts; do
    name="$(basename "$f" .ts)"
    if [[ ! -f "$out/$name.wasm" || "$f" -nt "$out/$name.wasm" ]]; then
      (cd "$as" && node_modules/.bin/asc "assembly/$name.ts" -b "$out/$name.wasm" --use abort=abort_proc_exit --optimize)
    fi
  done
fi
