#!/usr/bin/env bash
# A long LoadFuzzTest campaign in chunks, at the lowest CPU priority, so that other builds on a
# shared machine keep theirs. Each chunk is one Jazzer run of $MINUTES minutes; the corpus grows
# in core/.cifuzz-corpus across chunks. Stops after $TARGET executions in all, or at the first
# finding (Jazzer writes the reproducer into the test's resources directory: commit it with the fix).
#   core/src/test/fuzz-campaign.sh [target executions, default 1000000] [minutes per chunk, default 30]
set -euo pipefail
TARGET="${1:-1000000}"
MINUTES="${2:-30}"
root="$(cd "$(dirname "$0")/../../.." && pwd)"
logs="$root/core/target/fuzz-campaign"
mkdir -p "$logs"
total=0
chunk=0
while (( total < TARGET )); do
  chunk=$((chunk + 1))
  log="$logs/chunk-$chunk.log"
  # instrument Corral and Chicory, not the classes Chicory generates for every fuzzed module
  # (they would exhaust Jazzer's coverage counters after ~16,000 inputs)
  if ! (cd "$root" && JAZZER_FUZZ=1 nice -n 19 ./mvnw -B -q -pl core test -Dtest=LoadFuzzTest \
      -Dsurefire.failIfNoSpecifiedTests=false -Djazzer.max_duration="${MINUTES}m" \
      '-Djazzer.instrument=dev.corral.**,com.dylibso.chicory.**' \
      '-Djazzer.instrumentation_excludes=com.dylibso.chicory.$gen.**' >"$log" 2>&1); then
    echo "chunk $chunk: FINDING or failure, see $log" >&2
    grep -E "== Java Exception|Caused by|AssertionError|crash-" "$log" | head -20 >&2 || true
    exit 1
  fi
  done_line="$(grep -E '#[0-9]+[[:space:]]+DONE' "$log" | tail -1)"
  execs="$(sed -E 's/^#([0-9]+).*/\1/' <<<"$done_line")"
  rate="$(sed -E 's/.*exec\/s: ([0-9]+).*/\1/' <<<"$done_line")"
  total=$((total + execs))
  echo "chunk $chunk: $execs executions, $rate exec/s; $total in all"
done
echo "campaign done: $total executions in $chunk chunks, no finding"
