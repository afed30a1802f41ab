#!/usr/bin/env bash
# Builds helm from its Go module (through the Go module proxy) for the chart test
# (tests/it/deploy.rs, tests/it/support/helm.rs). Nothing is downloaded prebuilt.
#
# Output: $DIR/bin/helm, where DIR defaults to
#   ${XDG_CACHE_HOME:-$HOME/.cache}/shoot-dns/helm/<helm version>
# and can be overridden with SHOOT_DNS_HELM_DIR.
set -euo pipefail

# shellcheck source=common.sh
. "$(cd "$(dirname "$0")" && pwd)/common.sh"

DIR="${SHOOT_DNS_HELM_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/shoot-dns/helm/${HELM_VERSION}}"
BIN="$DIR/bin"

if [ -x "$BIN/helm" ]; then
    echo "helm already present in $BIN"
    exit 0
fi
mkdir -p "$BIN"

# `go install` writes into a GOBIN of its own; the binary is then moved into place in one
# rename, so a concurrent reader never sees half a file.
TMP="$(mktemp -d "${TMPDIR:-/tmp}/shoot-dns-helm-build.XXXXXX")"
cleanup() {
    rm -rf "$TMP"
    rm -f "$BIN/.helm.tmp.$$"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# helm's go.mod has no replace directives, so `go install module@version` builds it as
# released. The version is stamped as helm's Makefile does (otherwise `helm version`
# prints only the minor); CGO off as in its Makefile.
start=$(date +%s)
CGO_ENABLED=0 GOBIN="$TMP/bin" $NICE "$GO" install -trimpath \
    -ldflags="-s -w -X helm.sh/helm/v4/internal/version.version=$HELM_VERSION" \
    "helm.sh/helm/v4/cmd/helm@$HELM_VERSION"
log "helm $HELM_VERSION: go install took $(( $(date +%s) - start ))s"

cp "$TMP/bin/helm" "$BIN/.helm.tmp.$$"
mv -f "$BIN/.helm.tmp.$$" "$BIN/helm"
"$BIN/helm" version --short
log "helm in $BIN"
