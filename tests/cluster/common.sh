# Sourced by the build scripts of tests/cluster (build.sh, build-helm.sh): the versions, the Go
# toolchain, and log lines named after the script.

# The versions: versions.env next to this file (the environment may override them).
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
. <(sed -n 's/^\([A-Z_]*\)=\(.*\)$/: "${\1:=\2}"/p' "$HERE/versions.env")

GO="${GO:-go}"
NICE="${NICE:-nice -n 19}"

log() { echo "[$(basename "$0")] $*" >&2; }
