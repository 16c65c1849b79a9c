#!/usr/bin/env bash
# Builds the demo plugin from WAT and runs it twice through the corral CLI jar:
# once as a WASI command (_start), once calling its `add` export under a timeout and a memory bound.
# Needs: wat2wasm (Debian's wabt) and samples/cli/target/corral.jar (./mvnw -B -pl samples/cli -am package).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$root"
jar=samples/cli/target/corral.jar
[[ -f "$jar" ]] || { echo "no $jar: build it first with ./mvnw -B -pl samples/cli -am package" >&2; exit 1; }
command -v wat2wasm >/dev/null || .ci/ensure-tools.sh wabt

mkdir -p samples/cli/target/demo
wat2wasm samples/cli/demo/hello.wat -o samples/cli/target/demo/hello.wasm

set -x
java -jar "$jar" run samples/cli/target/demo/hello.wasm
java -jar "$jar" run --timeout 2s --max-memory 16MiB samples/cli/target/demo/hello.wasm --invoke add 2 3
