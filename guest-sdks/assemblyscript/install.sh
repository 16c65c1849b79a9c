#!/usr/bin/env bash
# Installs the pinned AssemblyScript compiler (package-lock.json) into node_modules, only when it
# is missing or the lock changed (idempotent). Used by guest-sdks/build.sh, and by the annotation
# processor's tests, which compile an AssemblyScript guest against the generated declarations and
# run before guest-sdks in the reactor.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
"$root/.ci/ensure-tools.sh" node
cd "$here"
exec 9>/tmp/corral-asc-install.lock
flock 9
if ! cmp -s package-lock.json node_modules/.corral-lock 2>/dev/null || [[ ! -x node_modules/.bin/asc ]]; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.corral-lock
fi
