#!/usr/bin/env bash
# Seeds each fuzz test's corpus (Jazzer reads <Class>Inputs/<method>/ next to the test class) with
# the WAT fixtures compiled to wasm; Jazzer runs exactly these inputs in regression mode.
set -euo pipefail
src="$1"; out="$2"
root="$(cd "$(dirname "$0")/../../.." && pwd)"
bash "$root/.ci/wat2wasm-all.sh" "$src" "$out/fuzz-seeds"
for target in dev/corral/LoadFuzzTest/loadInstantiateCall dev/corral/internal/chicory/FuelInstrumenterFuzzTest/meteredBehavesLikeOriginal; do
  dir="$out/${target%/*}Inputs/${target##*/}"
  mkdir -p "$dir"
  cp -p "$out"/fuzz-seeds/*.wasm "$dir"/
done
