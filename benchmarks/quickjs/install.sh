#!/usr/bin/env bash
# Installs the pinned quickjs-wasi npm package (package-lock.json) and copies its quickjs.wasm to $1.
# Idempotent: npm ci only when node_modules is missing or older than the lock file.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$1"
"$here/../../.ci/ensure-tools.sh" node
if [[ ! -f "$here/node_modules/quickjs-wasi/quickjs.wasm" || "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]]; then
  (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
mkdir -p "$out"
cp "$here/node_modules/quickjs-wasi/quickjs.wasm" "$out/quickjs.wasm"
