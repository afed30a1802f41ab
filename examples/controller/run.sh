#!/usr/bin/env bash
# Runs `shoot-dns controller` against a Kubernetes control plane on loopback, in one command:
# builds (first time only, cached) or finds the tests' kube-apiserver and etcd
# (tests/cluster/build.sh), starts them in a temporary folder, installs `shoot-dns crds`, starts
# the controller, creates examples/controller/manifests/ (a `local` DNSProvider and an annotated
# LoadBalancer Service), gives the Service its load balancer address, and shows the DNSEntry the
# controller made and its status. Everything stops when the script ends (HOLD=1 keeps it running
# until Ctrl-C, with the kubeconfig printed, to try more).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
. <(sed -n 's/^\([A-Z_]*\)=\(.*\)$/\1=\2/p' "$repo/tests/cluster/versions.env")
dir="${SHOOT_DNS_TEST_CLUSTER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/shoot-dns/test-cluster/${KUBERNETES_VERSION}-${ETCD_VERSION}}"
"$repo/tests/cluster/build.sh" >/dev/null
cargo build --quiet --release --features kube --manifest-path "$repo/Cargo.toml"
shoot_dns="$repo/target/release/shoot-dns"

work=$(mktemp -d "${TMPDIR:-/tmp}/shoot-dns-controller-example.XXXXXX")
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
etcd_port=$(free_port); peer_port=$(free_port); api_port=$(free_port)
token=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
echo "$token,admin,admin,system:masters" >"$work/token.csv"
openssl genrsa -out "$work/sa.key" 2048 2>/dev/null

"$dir/bin/etcd" --name=default --data-dir="$work/etcd" --log-level=warn --unsafe-no-fsync=true \
    --listen-client-urls="http://127.0.0.1:$etcd_port" --advertise-client-urls="http://127.0.0.1:$etcd_port" \
    --listen-peer-urls="http://127.0.0.1:$peer_port" --initial-advertise-peer-urls="http://127.0.0.1:$peer_port" \
    --initial-cluster="default=http://127.0.0.1:$peer_port" >"$work/etcd.log" 2>&1 &
pids+=($!)
"$dir/bin/kube-apiserver" --etcd-servers="http://127.0.0.1:$etcd_port" --cert-dir="$work/certs" \
    --bind-address=127.0.0.1 --secure-port="$api_port" --token-auth-file="$work/token.csv" \
    --service-account-key-file="$work/sa.key" --service-account-signing-key-file="$work/sa.key" \
    --service-account-issuer=https://kubernetes.default.svc --authorization-mode=RBAC \
    --service-cluster-ip-range=10.0.0.0/16 --disable-admission-plugins=ServiceAccount \
    >"$work/apiserver.log" 2>&1 &
pids+=($!)
api="https://127.0.0.1:$api_port"
kube() { curl -sSk -H "Authorization: Bearer $token" "$@"; }
for _ in $(seq 1 300); do
    [ "$(kube "$api/readyz" 2>/dev/null || true)" = ok ] && break
    sleep 0.2
done
cat >"$work/kubeconfig" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters: [{name: local, cluster: {server: "$api", insecure-skip-tls-verify: true}}]
users: [{name: admin, user: {token: "$token"}}]
contexts: [{name: local, context: {cluster: local, user: admin}}]
current-context: local
KUBECONFIG
echo "control plane ready: $api (kubeconfig $work/kubeconfig)"

# Each YAML document of a stream, POSTed to its collection.
post_all() {
    local collection=$1 file=$2
    awk -v dir="$work/docs" 'BEGIN{n=0; system("mkdir -p " dir)} /^---/{n++; next} {print > (dir "/" n ".yaml")}' "$file"
    for doc in "$work"/docs/*.yaml; do
        grep -q '^kind:' "$doc" && kube -o /dev/null -X POST -H 'Content-Type: application/yaml' \
            --data-binary @"$doc" "$api/$collection"
        rm -f "$doc"
    done
}
"$shoot_dns" crds >"$work/crds.yaml"
post_all apis/apiextensions.k8s.io/v1/customresourcedefinitions "$work/crds.yaml"
sleep 2
"$shoot_dns" controller --kubeconfig "$work/kubeconfig" --leader-election=false \
    --metrics-bind-address 0 --health-probe-bind-address 0 2>"$work/controller.log" &
pids+=($!)
post_all apis/dns.gardener.cloud/v1alpha1/namespaces/default/dnsproviders "$here/manifests/provider.yaml"
post_all api/v1/namespaces/default/services "$here/manifests/service.yaml"
kube -o /dev/null -X PATCH -H 'Content-Type: application/merge-patch+json' \
    --data '{"status":{"loadBalancer":{"ingress":[{"ip":"203.0.113.80"}]}}}' \
    "$api/api/v1/namespaces/default/services/shop/status"
for _ in $(seq 1 100); do
    kube "$api/apis/dns.gardener.cloud/v1alpha1/namespaces/default/dnsentries" | grep -q '"state": "Ready"' && break
    sleep 0.2
done
echo "--- the DNSEntry the controller made for the Service:"
kube "$api/apis/dns.gardener.cloud/v1alpha1/namespaces/default/dnsentries" |
    python3 -c 'import json,sys; [print(json.dumps({"name": e["metadata"]["name"], "spec": e["spec"], "status": e.get("status")}, indent=2)) for e in json.load(sys.stdin)["items"]]'
echo "--- the controller's log:"
cat "$work/controller.log"
if [ "${HOLD:-0}" = 1 ]; then
    echo "running; KUBECONFIG=$work/kubeconfig; Ctrl-C stops everything"
    wait
fi
