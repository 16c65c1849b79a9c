#!/usr/bin/env bash
# Builds the vendored WASI test suite into $1/<suite>/ (<test>.wasm, its .json and fixture
# directories), for WasiTestSuiteTest. Installs the toolchains when missing (Debian clang +
# wasi-libc; the AssemblyScript compiler pinned by package-lock.json). Idempotent; rebuilds only
# what changed. Usage: capabilities/wasi-testsuite/build.sh <out-dir>
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$1"
mkdir -p "$out"

# C: the suite's own tests, plus the Rust tests' cases reimplemented in C (see README.md)
"$root/.ci/ensure-tools.sh" c
for suite in c ported; do
  [[ -d "$here/$suite" ]] || continue
  mkdir -p "$out/$suite"
  flags=(--target=wasm32-wasi -O2)
  [[ $suite == ported ]] && flags+=(-Wall -Werror) # ours; the suite's sources are compiled as they are
  for f in "$here/$suite"/*.c; do
    name="$(basename "$f" .c)"
    if [[ ! -f "$out/$suite/$name.wasm" || "$f" -nt "$out/$suite/$name.wasm" || "$here/$suite/wasi_test.h" -nt "$out/$suite/$name.wasm" ]]; then
      clang "${flags[@]}" -o "$out/$suite/$name.wasm" "$f"
    fi
  done
  cp "$here/$suite"/*.json "$out/$suite/" 2>/dev/null || true
  rm -rf "$out/$suite/fs-tests.dir"
  cp -r "$here/$suite/fs-tests.dir" "$out/$suite/"
done

# Rust: the suite's tests with the wasip1 crate vendored, built by Debian's rustc (explicitly:
# a rustup toolchain earlier on PATH may lack the wasm32 std); cargo rebuilds only what changed
rs="$here/rust"
"$root/.ci/ensure-tools.sh" rust
mkdir -p "$out"
# the suite's sources warn (unused imports); show the compiler's output only when it fails
if ! RUSTC=/usr/bin/rustc CARGO_TARGET_DIR="$out/.cargo-target" /usr/bin/cargo build --quiet --offline --locked \
    --release --target wasm32-wasi --bins --manifest-path "$rs/Cargo.toml" 2>"$out/.cargo.log"; then
  cat "$out/.cargo.log" >&2
  exit 1
fi
mkdir -p "$out/rust"
for f in "$rs"/src/bin/*.rs; do
  name="$(basename "$f" .rs)"
  cp -p "$out/.cargo-target/wasm32-wasi/release/$name.wasm" "$out/rust/"
done
cp "$rs"/src/bin/*.json "$out/rust/"
rm -rf "$out/rust/fs-tests.dir"
cp -r "$rs/src/bin/fs-tests.dir" "$out/rust/"

# AssemblyScript: compiled in one Node process with the suite's shim
as="$here/assemblyscript"
"$root/.ci/ensure-tools.sh" node
(
  cd "$as"
  exec 9>/tmp/corral-wasi-testsuite-npm.lock
  flock 9
  if ! cmp -s package-lock.json node_modules/.corral-lock 2>/dev/null || [[ ! -x node_modules/.bin/asc ]]; then
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json node_modules/.corral-lock
  fi
)
node "$as/build.mjs" "$out/assemblyscript"
cp "$as"/*.json "$out/assemblyscript/"
rm -f "$out/assemblyscript/package.json" "$out/assemblyscript/package-lock.json"

cp "$here/expected-failures.txt" "$out/"
