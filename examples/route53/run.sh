#!/bin/sh
# Runs `shoot-dns apply` on examples/route53/manifests/ against moto's Route 53 on loopback:
# starts moto (from the tests' cached virtual environment, or one built here from
# tests/route53/requirements.txt), creates the hosted zone example.org, applies twice (the
# second apply changes nothing) and stops moto again. MOTO_PORT picks the port (5053).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
requirements="$repo/tests/route53/requirements.txt"
version=$(sed -n 's/^moto\[server\]==//p' "$requirements")
root="${XDG_CACHE_HOME:-$HOME/.cache}/shoot-dns/moto"
venv=$(ls -d "$root/$version"-* 2>/dev/null | head -n 1 || true)
if [ -z "$venv" ]; then
    venv="$root/example-$version"
    if [ ! -x "$venv/bin/python" ]; then
        echo "building moto $version into $venv (under a minute)"
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet -r "$requirements"
    fi
fi
port=${MOTO_PORT:-5053}
work=$(mktemp -d)
"$venv/bin/python" -m moto.server -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto=$!
trap 'kill "$moto" 2>/dev/null; rm -rf "$work"' EXIT INT TERM
endpoint="http://127.0.0.1:$port"
# moto picks the service from the credential scope; it checks no signature.
"$venv/bin/python" - "$endpoint" <<'PY'
import sys, time, urllib.request
endpoint = sys.argv[1]
body = (b'<CreateHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/">'
        b'<Name>example.org.</Name><CallerReference>shoot-dns-example</CallerReference>'
        b'</CreateHostedZoneRequest>')
auth = ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/route53/aws4_request, "
        "SignedHeaders=host, Signature=0")
for _ in range(100):
    try:
        request = urllib.request.Request(endpoint + "/2013-04-01/hostedzone", data=body,
                                         headers={"Authorization": auth, "Content-Type": "text/xml"})
        urllib.request.urlopen(request, timeout=2).read()
        print("moto's Route 53 at " + endpoint + ": hosted zone example.org created")
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit("moto did not start: see its log")
PY
export AWS_ENDPOINT_URL_ROUTE_53="$endpoint"
cd "$repo"
cargo run --quiet --features aws-route53 -- apply --state "$work/state.json" examples/route53/manifests/
echo "--- again: nothing to change"
cargo run --quiet --features aws-route53 -- apply --state "$work/state.json" examples/route53/manifests/
