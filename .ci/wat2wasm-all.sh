#!/usr/bin/env bash
# Compiles every .wat under $1 into $2/<name>.wasm. Fixtures are committed as WAT source only.
set -euo pipefail
src="$1"; out="$2"
mkdir -p "$out"
command -v wat2wasm >/dev/null || "$(dirname "$0")/ensure-tools.sh" wabt
shopt -s nullglob
for f in "$src"/*.wat; do
  name="$(basename "$f" .wat)"
  # --enable-all: fixtures exercise tail calls, multi-value, bulk memory ...; --debug-names keeps
  # function names so traps can name them. Rebuild only if stale.
  if [[ ! -f "$out/$name.wasm" || "$f" -nt "$out/$name.wasm" ]]; then
    wat2wasm --enable-all --debug-names "$f" -o "$out/$name.wasm"
  fi
done
