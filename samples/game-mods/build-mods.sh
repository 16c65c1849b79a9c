#!/usr/bin/env bash
# Builds the shipped mods from source into $1 (default target/mods), against the declarations
# corral-annotation-processor generated from GameApi.java (target/generated-resources/corral-guest):
#   *.js             copied as they are
#   *.c              clang + wasi-libc, a WASI reactor, with guest-sdks/c/corral.h
#   *.ts             the pinned AssemblyScript compiler of guest-sdks/assemblyscript
#   */Cargo.toml     Debian's cargo, offline, with the guest-sdks/rust crate
# Missing toolchains are installed first (Debian as root: .ci/ensure-tools.sh, npm ci). Idempotent:
# a mod is rebuilt only when one of its inputs is newer than it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$here/target/mods}"
gen="$here/target/generated-resources/corral-guest"
build="$here/target/mods-build"
if [[ ! -f "$gen/game.h" ]]; then
  echo "build-mods: $gen/game.h is missing: compile first (./mvnw -pl samples/game-mods -am compile)" >&2
  exit 1
fi
mkdir -p "$out" "$build"

# stale TARGET INPUT...: the target is missing or older than an input
stale() {
  local target="$1" input; shift
  [[ -f "$target" ]] || return 0
  for input in "$@"; do [[ "$input" -nt "$target" ]] && return 0; done
  return 1
}

shopt -s nullglob

for f in "$here"/mods/*.js; do
  stale "$out/$(basename "$f")" "$f" && cp "$f" "$out/"
done

c_mods=("$here"/mods/*.c)
if [[ ${#c_mods[@]} -gt 0 ]]; then
  "$root/.ci/ensure-tools.sh" c
  for f in "${c_mods[@]}"; do
    n="$(basename "$f" .c)"
    if stale "$out/$n.wasm" "$f" "$gen/game.h" "$root/guest-sdks/c/corral.h"; then
      clang --target=wasm32-wasi -mexec-model=reactor -O2 -Wall -Wextra -Werror \
            -I "$root/guest-sdks/c" -I "$gen" -o "$out/$n.wasm" "$f"
    fi
  done
fi

as_mods=("$here"/mods/*.ts)
if [[ ${#as_mods[@]} -gt 0 ]]; then
  "$root/guest-sdks/assemblyscript/install.sh"
  asc="$root/guest-sdks/assemblyscript/node_modules/.bin/asc"
  for f in "${as_mods[@]}"; do
    n="$(basename "$f" .ts)"
    if stale "$out/$n.wasm" "$f" "$gen/game.ts" "$root"/guest-sdks/assemblyscript/assembly/corral/*.ts; then
      # the mod imports "./game" and "./corral": assemble them side by side
      rm -rf "$build/as-$n" && mkdir -p "$build/as-$n"
      cp "$f" "$gen/game.ts" "$build/as-$n/"
      cp -r "$root/guest-sdks/assemblyscript/assembly/corral" "$build/as-$n/corral"
      # AssemblyScript's own aborts go to the game's log (corral_log), not to an env import
      (cd "$build/as-$n" && "$asc" "$n.ts" -O3 --use abort=corral/index/corralAbort -o "$out/$n.wasm")
    fi
  done
fi

rust_mods=("$here"/mods/*/Cargo.toml)
if [[ ${#rust_mods[@]} -gt 0 ]]; then
  "$root/.ci/ensure-tools.sh" rust
  for manifest in "${rust_mods[@]}"; do
    dir="$(dirname "$manifest")"
    n="$(basename "$dir")"
    if stale "$out/$n.wasm" "$dir"/*.rs "$manifest" "$gen/game.rs" "$root"/guest-sdks/rust/src/*.rs; then
      # Debian's toolchain by path: a rustup toolchain earlier on PATH may lack the wasm32 std
      env RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc CARGO_TARGET_DIR="$build/cargo" \
          /usr/bin/cargo build --quiet --offline --locked --release --manifest-path "$manifest" --target wasm32-unknown-unknown
      cp "$build/cargo/wasm32-unknown-unknown/release/$n.wasm" "$out/$n.wasm"
    fi
  done
fi
ls -l "$out" | awk 'NR > 1 { print "build-mods: " $NF ": " $5 " bytes" }' >&2
