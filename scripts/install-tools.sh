#!/usr/bin/env bash
# Provide the pinned OPA and Regal binaries in a cache folder outside the repository.
# Order of preference: a matching binary already on PATH, `go install` where Go exists,
# else the official release binary for this platform.
set -euo pipefail

# The one definition of the pinned OPA version is the OPA_VERSION file at the project root.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OPA_VERSION="${OPA_VERSION:-$(tr -d '[:space:]' < "$ROOT/OPA_VERSION")}"
REGAL_VERSION="${REGAL_VERSION:-0.42.0}"
TOOLS_DIR="${TIERGATE_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tiergate/bin}"
mkdir -p "$TOOLS_DIR"

log() { printf '[install-tools] %s\n' "$*" >&2; }

os=$(uname -s | tr '[:upper:]' '[:lower:]')
case "$(uname -m)" in
  x86_64|amd64) arch=amd64 ;;
  aarch64|arm64) arch=arm64 ;;
  *) arch=$(uname -m) ;;
esac

# have NAME VERSION: true when $TOOLS_DIR/NAME already reports VERSION. The output is read whole
# before matching: with pipefail, `NAME version | grep -q` failed whenever grep exited on the
# first line before NAME finished writing (SIGPIPE), so a working binary was rebuilt at random
# and the build then judged "not usable".
have() {
  local reported
  [ -x "$TOOLS_DIR/$1" ] && reported=$("$TOOLS_DIR/$1" version 2>/dev/null) && [[ $reported == *"$2"* ]]
}

# go_build NAME VERSION MODULE: build MODULE@vVERSION into $TOOLS_DIR/NAME.
# A throwaway module is used instead of `go install mod@v`: some proxies refuse a module's
# version list, which `go install` asks for (deprecation check) but `go get` of an exact
# version does not need. The version is stamped in so `NAME version` reports it.
go_build() {
  local name=$1 version=$2 module=$3 work
  work=$(mktemp -d)
  (
    cd "$work"
    export GOFLAGS=-buildvcs=false CGO_ENABLED=0
    go mod init "tiergate-tools/$name" >/dev/null 2>&1
    go get "$module@v$version"
    go build -o "$TOOLS_DIR/$name" \
      -ldflags "-X $module/version.Version=$version -X $module/pkg/version.Version=v$version" \
      "$module"
  )
  rm -rf "$work"
}

# provide NAME VERSION GO_MODULE RELEASE_URL
provide() {
  local name=$1 version=$2 module=$3 url=$4
  if have "$name" "$version"; then
    log "$name $version already in $TOOLS_DIR"
    return
  fi
  local on_path
  on_path=$(command -v "$name" || true)
  if [ -n "$on_path" ] && [[ $("$on_path" version 2>/dev/null || true) == *"$version"* ]]; then
    log "using $name $version from PATH ($on_path)"
    ln -sf "$on_path" "$TOOLS_DIR/$name"
    return
  fi
  if command -v go >/dev/null 2>&1; then
    log "building $name v$version from the Go module proxy (first time only)"
    local start=$SECONDS
    go_build "$name" "$version" "$module"
    log "$name built in $((SECONDS - start)) s"
  else
    log "downloading $name v$version release binary"
    curl -fsSL -o "$TOOLS_DIR/$name" "$url"
    chmod +x "$TOOLS_DIR/$name"
  fi
  have "$name" "$version" || { log "$name $version not usable after install"; exit 1; }
}

provide opa "$OPA_VERSION" github.com/open-policy-agent/opa \
  "https://openpolicyagent.org/downloads/v${OPA_VERSION}/opa_${os}_${arch}_static"
provide regal "$REGAL_VERSION" github.com/open-policy-agent/regal \
  "https://github.com/open-policy-agent/regal/releases/download/v${REGAL_VERSION}/regal_$(uname -s)_$(uname -m)"

echo "$TOOLS_DIR"
