#!/usr/bin/env bash
# Installs the pinned AssemblyScript compiler and @solo-io/proxy-runtime (package-lock.json) into
# node_modules, only when missing or when the lock changed (idempotent, like guest-sdks/assemblyscript).
# proxy-runtime 0.1.8 is the newest on the npm registry; it needs AssemblyScript 0.14 (its ARC runtime).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../../../.." && pwd)"
"$root/.ci/ensure-tools.sh" node
cd "$here"
exec 9>/tmp/corral-rh-asc-install.lock
flock 9
if ! cmp -s package-lock.json node_modules/.corral-lock 2>/dev/null || [[ ! -x node_modules/.bin/asc ]]; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.corral-lock
fi
