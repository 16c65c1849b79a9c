#!/usr/bin/env bash
# Installs the guest toolchains a build step needs, only when they are missing (idempotent).
# Usage: .ci/ensure-tools.sh wabt|c|rust|node|chromium|xz ...
# On Debian as root it installs with apt-get; elsewhere it says what to install and fails.
set -euo pipefail

need_apt=()
for set in "$@"; do
  case "$set" in
    wabt) command -v wat2wasm >/dev/null || need_apt+=(wabt) ;;
    c)    { command -v clang >/dev/null && [[ -e /usr/share/wasi-sysroot || -e /usr/lib/wasm32-wasi ]] && command -v wasm-ld >/dev/null; } \
            || need_apt+=(clang lld wasi-libc libclang-rt-dev-wasm32) ;;
    rust) { [[ -x /usr/bin/rustc && -x /usr/bin/cargo ]] && [[ -d /usr/lib/rustlib/wasm32-unknown-unknown && -d /usr/lib/rustlib/wasm32-wasi ]]; } \
            || need_apt+=(rustc cargo libstd-rust-dev-wasm32 lld) ;;
    node) command -v npm >/dev/null || need_apt+=(nodejs npm) ;;
    chromium) command -v chromium >/dev/null || need_apt+=(chromium) ;;   # the docs site's browser test
    xz) command -v xz >/dev/null || need_apt+=(xz-utils) ;;               # Debian source tarballs (benchmarks/zstd)
    *) echo "ensure-tools: unknown tool set '$set'" >&2; exit 2 ;;
  esac
done
[[ ${#need_apt[@]} -eq 0 ]] && exit 0

if [[ "$(id -u)" != 0 ]] || ! command -v apt-get >/dev/null; then
  echo "ensure-tools: missing ${need_apt[*]}; install them (Debian: apt-get install ${need_apt[*]})" >&2
  exit 1
fi
# one lock so parallel builds (several Maven modules) do not race on dpkg
exec 9>/tmp/corral-ensure-tools.lock
flock 9
echo "ensure-tools: installing ${need_apt[*]}" >&2
stamp=/tmp/corral-apt-updated
if [[ ! -f $stamp ]] || [[ -n "$(find $stamp -mmin +360 2>/dev/null)" ]]; then
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  touch $stamp
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >&2
