#!/usr/bin/env bash
# The built site (build.sh) in Debian's headless Chromium: every page renders, no broken internal
# link, search finds "fuel", a screenshot of the front page in site/target/front-page.png.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
"$(dirname "$here")/.ci/ensure-tools.sh" chromium
cd "$here"
node scripts/browser-test.mjs
