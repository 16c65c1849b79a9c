#!/usr/bin/env bash
# Installs the C guest toolchain (Debian's clang, lld, wasi-libc, wasm32 compiler-rt) when missing.
# Idempotent; the build calls it through .ci/build-c.sh, so `./mvnw test` needs nothing beforehand.
set -euo pipefail
exec "$(dirname "$0")/ensure-tools.sh" c
