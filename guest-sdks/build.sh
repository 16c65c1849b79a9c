#!/usr/bin/env bash
# Builds every guest SDK example into guest-sdks/out/<lang>-<example>.wasm, installing the
# toolchains first when missing (Debian as root: apt-get and npm only; idempotent).
# Usage: guest-sdks/build.sh [c|rust|assemblyscript ...]   (default: all three)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
out="$here/out"
langs=("$@")
[[ ${#langs[@]} -gt 0 ]] || langs=(c rust assemblyscript)
mkdir -p "$out"

build_c() {
  "$root/.ci/ensure-tools.sh" c
  local free=(--target=wasm32-unknown-unknown -O2 -nostdlib -mbulk-memory -Wl,--no-entry -Wl,--export-dynamic
              -Wall -Wextra -Werror)
  local wasi=(--target=wasm32-wasi -mexec-model=reactor -O2 -Wall -Wextra -Werror)
  clang "${free[@]}" -o "$out/c-hello.wasm" "$here/c/examples/hello.c"
  clang "${free[@]}" -o "$out/c-filter.wasm" "$here/c/examples/filter.c"
  clang "${wasi[@]}" -o "$out/c-clock.wasm" "$here/c/examples/clock.c"
}

build_rust() {
  "$root/.ci/ensure-tools.sh" rust
  # Debian's toolchain explicitly: a rustup toolchain earlier on PATH may lack the wasm32 std
  local cargo=(env RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc /usr/bin/cargo build --quiet --offline --locked --release
               --manifest-path "$here/rust/Cargo.toml")
  "${cargo[@]}" --target wasm32-unknown-unknown --example hello --example filter
  "${cargo[@]}" --target wasm32-wasi --example clock
  cp "$here/rust/target/wasm32-unknown-unknown/release/examples/hello.wasm" "$out/rust-hello.wasm"
  cp "$here/rust/target/wasm32-unknown-unknown/release/examples/filter.wasm" "$out/rust-filter.wasm"
  cp "$here/rust/target/wasm32-wasi/release/examples/clock.wasm" "$out/rust-clock.wasm"
}

build_assemblyscript() {
  # the pinned compiler from package-lock.json; reinstalled only when missing or changed
  "$here/assemblyscript/install.sh"
  cd "$here/assemblyscript"
  local asc=(node_modules/.bin/asc -O3)
  # plugins without a logging grant: abort is a bare trap, so corral_log is not imported
  "${asc[@]}" --use abort= -o "$out/assemblyscript-hello.wasm" examples/hello.ts
  "${asc[@]}" --use abort= -o "$out/assemblyscript-clock.wasm" examples/clock.ts
  # the filter logs: AssemblyScript's own failures go to the host log as well
  "${asc[@]}" --use abort=assembly/corral/index/corralAbort -o "$out/assemblyscript-filter.wasm" examples/filter.ts
  cd - >/dev/null
}

for lang in "${langs[@]}"; do
  case "$lang" in
    c) build_c ;;
    rust) build_rust ;;
    assemblyscript) build_assemblyscript ;;
    *) echo "build.sh: unknown language '$lang' (c, rust, assemblyscript)" >&2; exit 2 ;;
  esac
done
ls -l "$out" | awk 'NR > 1 { print "guest-sdks/out/" $NF ": " $5 " bytes" }' >&2
