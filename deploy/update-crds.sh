#!/usr/bin/env bash
# Writes deploy/chart/shoot-dns/crds/ from `shoot-dns crds`: one file per CustomResourceDefinition,
# named after it, each exactly its document of the output (tests/it/deploy.rs checks that they
# are). Run it after a change to the API types: deploy/update-crds.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/chart/shoot-dns/crds"
printed="$(mktemp)"
trap 'rm -f "$printed"' EXIT
cargo run --quiet --manifest-path "$here/../Cargo.toml" -- crds >"$printed"
rm -f "$out"/*.yaml
# Each document starts with a `---` line; its file is named by its metadata.name.
awk -v out="$out" '
    /^---$/ { if (file) close(file); file = ""; buf = $0 "\n"; next }
    !file && /^  name: / { file = out "/" $2 ".yaml"; printf "%s", buf > file; buf = "" }
    { if (file) print > file; else buf = buf $0 "\n" }
' "$printed"
ls "$out"
