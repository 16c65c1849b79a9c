#!/usr/bin/env bash
# Builds the documentation site into site/target/src/.vitepress/dist: installs the pinned VitePress
# (package-lock.json; only when missing or changed), lays out the pages (scripts/collect.mjs) and
# builds. Run after `./mvnw package` so that the javadoc is there; the Maven build (site/pom.xml)
# calls it in verify.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
"$root/.ci/ensure-tools.sh" node
cd "$here"
exec 9>/tmp/corral-site-install.lock
flock 9
if ! cmp -s package-lock.json node_modules/.corral-lock 2>/dev/null || [[ ! -x node_modules/.bin/vitepress ]]; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.corral-lock
fi
exec 9>&-
node scripts/collect.mjs
node_modules/.bin/vitepress build target/src --logLevel warn
