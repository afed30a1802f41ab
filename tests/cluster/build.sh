#!/usr/bin/env bash
# Builds kube-apiserver and etcd from their Go modules (through the Go module proxy) for the
# shoot-dns integration tests (tests/it/support/cluster.rs). Nothing is downloaded prebuilt.
#
# Output: $DIR/bin/{kube-apiserver,etcd}, where DIR defaults to
#   ${XDG_CACHE_HOME:-$HOME/.cache}/shoot-dns/test-cluster/<k8s>-<etcd>
# and can be overridden with SHOOT_DNS_TEST_CLUSTER_DIR.
set -euo pipefail

# shellcheck source=common.sh
. "$(cd "$(dirname "$0")" && pwd)/common.sh"

DIR="${SHOOT_DNS_TEST_CLUSTER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/shoot-dns/test-cluster/${KUBERNETES_VERSION}-${ETCD_VERSION}}"
BIN="$DIR/bin"

if [ -x "$BIN/kube-apiserver" ] && [ -x "$BIN/etcd" ]; then
    echo "kube-apiserver and etcd already present in $BIN"
    exit 0
fi
mkdir -p "$BIN"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/shoot-dns-cluster-build.XXXXXX")"
cleanup() {
    rm -rf "$TMP"
    rm -f "$BIN/.kube-apiserver.tmp.$$" "$BIN/.etcd.tmp.$$"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { # step <name> <cmd...> : run a command and print how long it took
    local name="$1" start end
    shift
    start=$(date +%s)
    "$@"
    end=$(date +%s)
    log "$name took $((end - start))s"
}

# Read the "go" and "godebug" directives of a dependency's go.mod so the
# consumer module gets the same language version / default GODEBUG settings.
go_directive() { sed -n 's/^go \([0-9.]*\).*/\1/p' "$1" | head -n1; }
godebug_lines() { grep -E '^godebug ' "$1" || true; }

gomod_of() { # gomod_of <module@version> : path of the downloaded go.mod
    $GO mod download -json "$1" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p'
}

# ---------------------------------------------------------------- kube-apiserver
build_kube_apiserver() {
    local mod="$TMP/kubernetes" k8s_gomod staging_version
    mkdir -p "$mod"
    k8s_gomod="$(cd "$TMP" && gomod_of "k8s.io/kubernetes@$KUBERNETES_VERSION")"
    [ -f "$k8s_gomod" ] || { log "cannot fetch go.mod of k8s.io/kubernetes@$KUBERNETES_VERSION"; return 1; }
    # v1.34.4 -> v0.34.4 (version of the published staging modules)
    staging_version="v0.${KUBERNETES_VERSION#v1.}"

    {
        echo "module shoot-dns/test-cluster/kube-apiserver"
        echo
        echo "go $(go_directive "$k8s_gomod")"
        echo
        godebug_lines "$k8s_gomod"
        echo
        echo "require k8s.io/kubernetes $KUBERNETES_VERSION"
        echo
        echo "replace ("
        # k8s.io/X => ./staging/src/k8s.io/X   ->   k8s.io/X => k8s.io/X v0.N.M
        sed -n 's#^[[:space:]]*\(k8s\.io/[^[:space:]]*\)[[:space:]]*=>[[:space:]]*\./staging/src/.*$#\t\1 => \1 '"$staging_version"'#p' "$k8s_gomod"
        echo ")"
    } >"$mod/go.mod"
    log "generated $mod/go.mod with $(grep -c ' => ' "$mod/go.mod") replace lines"

    # Without -X the binary reports "v0.0.0-master+$Format:%H$" (as served on
    # /version); stamp the release version like hack/lib/version.sh does.
    local minor="${KUBERNETES_VERSION#v1.}" ldflags="-s" pkg
    minor="${minor%%.*}"
    for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
        ldflags="$ldflags -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1"
        ldflags="$ldflags -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
    done

    (cd "$mod" && step "kube-apiserver $KUBERNETES_VERSION: go build" \
        $NICE "$GO" build -mod=mod -trimpath -ldflags="$ldflags" \
        -o "$BIN/.kube-apiserver.tmp.$$" k8s.io/kubernetes/cmd/kube-apiserver)
    mv -f "$BIN/.kube-apiserver.tmp.$$" "$BIN/kube-apiserver"
}

# -------------------------------------------------------------------------- etcd
# Since etcd v3.5 the etcd binary's main package is the root package of the
# module go.etcd.io/etcd/server/v3 (server/main.go). Its go.mod has replace
# directives, so `go install ...@version` is refused; build it from a consumer
# module instead (replace directives of dependencies are ignored there).
build_etcd() {
    local mod="$TMP/etcd" etcd_gomod
    mkdir -p "$mod"
    etcd_gomod="$(cd "$TMP" && gomod_of "go.etcd.io/etcd/server/v3@$ETCD_VERSION")"
    [ -f "$etcd_gomod" ] || { log "cannot fetch go.mod of go.etcd.io/etcd/server/v3@$ETCD_VERSION"; return 1; }
    {
        echo "module shoot-dns/test-cluster/etcd"
        echo
        echo "go $(go_directive "$etcd_gomod")"
        echo
        godebug_lines "$etcd_gomod"
        echo
        echo "require go.etcd.io/etcd/server/v3 $ETCD_VERSION"
    } >"$mod/go.mod"

    (cd "$mod" && step "etcd $ETCD_VERSION: go build" \
        $NICE "$GO" build -mod=mod -trimpath -ldflags=-s \
        -o "$BIN/.etcd.tmp.$$" go.etcd.io/etcd/server/v3)
    mv -f "$BIN/.etcd.tmp.$$" "$BIN/etcd"
}

total_start=$(date +%s)
[ -x "$BIN/kube-apiserver" ] || build_kube_apiserver
[ -x "$BIN/etcd" ] || build_etcd
log "total $(( $(date +%s) - total_start ))s; binaries in $BIN"
ls -l "$BIN"
