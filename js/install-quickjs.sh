#!/usr/bin/env bash
# Installs the pinned quickjs-wasi package (package-lock.json) and copies its engine, quickjs.wasm,
# and its license into $1 (the build puts them on the classpath as dev/corral/js/). Idempotent:
# npm runs only when node_modules is missing or the lock file changed; the copy only when stale.
# Nothing is committed but this script and the lock file: the engine comes from the npm registry.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
out="${1:?usage: install-quickjs.sh OUTDIR}"
"$root/.ci/ensure-tools.sh" node
cd "$here"
exec 9>/tmp/corral-quickjs-install.lock
flock 9
if ! cmp -s package-lock.json node_modules/.corral-lock 2>/dev/null || [[ ! -f node_modules/quickjs-wasi/quickjs.wasm ]]; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.corral-lock
fi
mkdir -p "$out"
pkg=node_modules/quickjs-wasi
for f in quickjs.wasm LICENSE; do
  dest="$out/${f/LICENSE/quickjs-wasi.LICENSE}"
  if [[ ! -f "$dest" || "$pkg/$f" -nt "$dest" ]]; then
    cp "$pkg/$f" "$dest"
  fi
done
