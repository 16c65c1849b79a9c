#!/usr/bin/env bash
# Installs the C guest toolchain (Debian's clang 14, lld, wasi-libc, wasm32 compiler-rt).
# Idempotent: does nothing when everything is already there.
set -euo pipefail
need=()
for p in clang lld wasi-libc libclang-rt-dev-wasm32; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if (( ${#need[@]} )); then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${need[@]}"
fi
