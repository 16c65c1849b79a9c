#!/usr/bin/env bash
# Builds plugin/hello.c into $2/hello.wasm against the guest SDK's corral.h and the host.h that
# corral-annotation-processor generated from Host.java into $1. Installs clang when missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
generated="$1"; out="$2"
"$root/.ci/ensure-tools.sh" c
mkdir -p "$out"
clang --target=wasm32-unknown-unknown -O2 -nostdlib -mbulk-memory -Wl,--no-entry -Wl,--export-dynamic \
      -Wall -Wextra -Werror -I "$root/guest-sdks/c" -I "$generated" -o "$out/hello.wasm" "$here/hello.c"
