#!/usr/bin/env bash
# Manual check, outside CI (CI reaches neither GitHub nor the Go module proxy): builds example filters
# of the real Go SDK (github.com/proxy-wasm/proxy-wasm-go-sdk, unmodified Go code) with Go >= 1.24
# as wasip1 reactors, runs each through `corral serve --echo`, and checks what it does.
#
#   samples/request-hooks/manual/go-sdk-check.sh SDK_DIR [CORRAL_JAR]
#
# SDK_DIR: a checkout of proxy-wasm-go-sdk (git clone https://github.com/proxy-wasm/proxy-wasm-go-sdk).
# CORRAL_JAR: default samples/cli/target/corral.jar (./mvnw -B -pl samples/cli -am package -DskipTests).
# Go: $GO, else `go` on PATH, else /usr/lib/go-1.24/bin/go. On Debian 12 (root) the script can install
# golang-1.24-go from Debian 13 (trixie) with CORRAL_INSTALL_GO=1: bookworm-backports stops at 1.23,
# which has no wasip1 reactor mode (-buildmode=c-shared, go:wasmexport), so the SDK needs 1.24.
#
# The examples are built from a copy whose go.mod files require only the SDK: their other modules
# (testify, wazero, gjson) serve their tests or examples skipped here, so the build needs no module
# download (GOPROXY=off works). Exit status 0 when every check passed.
set -euo pipefail
sdk="$(cd "${1:?usage: go-sdk-check.sh SDK_DIR [CORRAL_JAR]}" && pwd)"
here="$(cd "$(dirname "$0")" && pwd)"
jar="${2:-$here/../../cli/target/corral.jar}"
[[ -f $jar ]] || { echo "no $jar: build it with ./mvnw -B -pl samples/cli -am package -DskipTests" >&2; exit 2; }

go="${GO:-$(command -v go || true)}"
[[ -n $go ]] || go=/usr/lib/go-1.24/bin/go
if [[ ! -x $go && ${CORRAL_INSTALL_GO:-0} == 1 ]]; then
  printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    > /etc/apt/sources.list.d/corral-trixie.sources
  printf 'Package: *\nPin: release n=trixie\nPin-Priority: 50\n' > /etc/apt/preferences.d/corral-trixie
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t trixie --no-install-recommends golang-1.24-go
fi
"$go" version | grep -Eq 'go1\.(2[4-9]|[3-9][0-9])' || { echo "needs Go >= 1.24, got: $("$go" version 2>&1)" >&2; exit 2; }

work="$(mktemp -d)"
# serve runs in $(...) subshells, so the servers' pids go to a file, not a variable
stop() { # stops every server started so far and waits for them (each JVM holds ~0.8 GB: never keep them all)
  if [[ -f $work/pids ]]; then
    while read -r p; do kill "$p" 2>/dev/null || true; done <"$work/pids"
    while read -r p; do while kill -0 "$p" 2>/dev/null; do sleep 0.2; done; done <"$work/pids"
    : >"$work/pids"
  fi
}
cleanup() { stop; rm -rf "$work"; }
trap cleanup EXIT INT TERM
cp -r "$sdk" "$work/sdk"
printf 'module github.com/proxy-wasm/proxy-wasm-go-sdk\n\ngo 1.24\n' > "$work/sdk/go.mod"
rm -f "$work/sdk/go.sum"
export GOCACHE="${GOCACHE:-$work/cache}" GOPATH="$work/gopath" GOFLAGS=-mod=mod GOTOOLCHAIN=local GOPROXY="${GOPROXY:-off}"

build() { # example name -> $work/NAME.wasm
  local d="$work/sdk/examples/$1"
  printf 'module example\n\ngo 1.24\n\nrequire github.com/proxy-wasm/proxy-wasm-go-sdk v0.0.0-00010101000000-000000000000\n\nreplace github.com/proxy-wasm/proxy-wasm-go-sdk => ../..\n' > "$d/go.mod"
  rm -f "$d/go.sum"
  (cd "$d" && GOOS=wasip1 GOARCH=wasm "$go" build -buildmode=c-shared -o "$work/$1.wasm" .)
}

serve() { # name, serve flags... -> prints the URL
  local name=$1; shift
  java -jar "$jar" serve --listen 127.0.0.1:0 --echo --filter "$work/$name.wasm" "$@" >"$work/$name.out" 2>"$work/$name.err" &
  local pid=$!
  echo "$pid" >>"$work/pids"
  for _ in $(seq 1 600); do # up to 5 min: a 2.7 MB Go module compiles twice under fuel (plain + metered)
    grep -q listening "$work/$name.out" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || { tail -n 3 "$work/$name.err" >&2; return 0; } # its checks fail, the others run
    sleep 0.5
  done
  awk '{print $2}' "$work/$name.out"
}


passed=0 failed=0
check() { # description, command...
  local what=$1; shift
  if "$@"; then
    passed=$((passed + 1)); echo "ok   $what"
  else
    failed=$((failed + 1)); echo "FAIL $what"
    tail -n 3 "$(ls -t "$work"/*.err | head -1)" | sed 's/^/     server: /' # the newest server's last words
  fi
}
has() { grep -qF -- "$2" <<<"$1"; }

for ex in http_routing http_body shared_data postpone_requests vm_plugin_configuration helloworld properties metrics; do
  build "$ex"
  echo "built $ex.wasm ($(stat -c %s "$work/$ex.wasm") bytes)"
done

u=$(serve http_routing --filter-config x) # the first config byte overrides the dice: 'x' is even, so canary
check "http_routing: :authority rewritten to the canary" has "$(curl -s "$u/hello")" '-canary"'
stop
u=$(serve http_routing --fuel 100000 --max-memory 64MiB) # requests are cheap; the Go runtime's _initialize (1-3 million units) runs under the start-up budget
check "http_routing under fuel and a memory limit" has "$(curl -s -o /dev/null -w '%{http_code}' "$u/")" 200

stop
u=$(serve http_body)
check "http_body: prepend" has "$(curl -s -XPUT "$u/" --data '[initial body]' -H 'buffer-operation: prepend')" '"body":"[this is prepended body][initial body]"'
check "http_body: append" has "$(curl -s -XPUT "$u/" --data '[initial body]' -H 'buffer-operation: append')" '"body":"[initial body][this is appended body]"'
check "http_body: replace" has "$(curl -s -XPUT "$u/" --data '[initial body]' -H 'buffer-operation: replace')" '"body":"[this is replaced body]"'
check "http_body: response body" has "$(curl -s -XPUT "$u/" --data '[initial body]' -H 'buffer-operation: append' -H 'buffer-replace-at: response')" '[this is appended body]'

stop
u=$(serve shared_data --workers 4)
for _ in 1 2 3 4 5; do curl -s -o /dev/null "$u/"; done
check "shared_data: a CAS counter across VMs" has "$(cat "$work/shared_data.err")" 'shared value: 5'

stop
u=$(serve postpone_requests)
check "postpone_requests: paused, resumed from OnTick" has "$(curl -s -m 10 "$u/x")" '"path":"/x"'
check "postpone_requests: the log says so" has "$(cat "$work/postpone_requests.err")" 'resume request with contextID='

stop
u=$(serve vm_plugin_configuration --vm-config 'my vm config' --filter-config '{"plugin":"config"}')
check "vm_plugin_configuration: VM configuration read" has "$(cat "$work/vm_plugin_configuration.err")" 'vm config: my vm config'
check "vm_plugin_configuration: plugin configuration read" has "$(cat "$work/vm_plugin_configuration.err")" 'plugin config: {"plugin":"config"}'

stop
u=$(serve helloworld)
sleep 2.5
check "helloworld: OnPluginStart, ticks, time and randomness" has "$(cat "$work/helloworld.err")" 'OnTick called'

stop
u=$(serve properties)
check "properties: a route without an auth property passes" has "$(curl -s -o /dev/null -w '%{http_code}' "$u/one")" 200

stop
u=$(serve metrics)
check "metrics: requests pass" has "$(curl -s -o /dev/null -w '%{http_code}' "$u/" -H 'my-custom-header: foo')" 200

stop
echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
