#!/usr/bin/env bash
# Runs the README's example: the host in samples/hello-host on the module path, with the plugin the
# build made from plugin/hello.c. Build first: ./mvnw -B -q package -DskipTests (from the root).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[[ -f "$here/target/module-path.txt" && -f "$here/target/hello.wasm" ]] \
  || { echo "build first: ./mvnw -B -q package -DskipTests" >&2; exit 1; }
exec java -p "$here/target/classes:$(cat "$here/target/module-path.txt")" \
    -m dev.corral.samples.hello/dev.corral.samples.hello.HelloHost "$here/target/hello.wasm"
