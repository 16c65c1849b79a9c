#!/usr/bin/env bash
# Builds go-report/main.go into benchmarks/target/startup/go-report.wasm (GOOS=wasip1, ~3.4 MB) with
# Debian's Go 1.23 from bookworm-backports, installing it first when missing (as root: adds the
# backports source line, then apt-get). Not part of the Maven build: a documented measurement.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../target/startup"
go=/usr/lib/go-1.23/bin/go
if [[ ! -x $go ]]; then
  [[ "$(id -u)" == 0 ]] || { echo "build-go.sh: needs golang-1.23-go (Debian bookworm-backports)" >&2; exit 1; }
  list=/etc/apt/sources.list.d/corral-bookworm-backports.list
  [[ -f $list ]] || echo "deb http://deb.debian.org/debian bookworm-backports main" > "$list"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends golang-1.23-go
fi
mkdir -p "$out"
cd "$here/go-report"
[[ -f go.mod ]] || "$go" mod init corral.dev/go-report >/dev/null 2>&1
GOOS=wasip1 GOARCH=wasm GOFLAGS=-mod=mod GOCACHE="$out/gocache" GOPATH="$out/gopath" GOPROXY=off \
  "$go" build -o "$out/go-report.wasm" .
ls -l "$out/go-report.wasm" | awk '{print "benchmarks/target/startup/go-report.wasm: " $5 " bytes"}'
