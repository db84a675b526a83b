#!/usr/bin/env bash
# run-demo.sh: the seed's story with swiftlet. Starts rootfs/demo/kubia-liveness-fast.yaml with a
# detached supervisor, shows `get pods` while the liveness probe turns the pod unhealthy and the
# container is killed and restarted, then `describe pod` (events as in the seed's notes), then
# deletes the pod. State lives in a temp dir removed at the end.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
swiftlet=${SWIFTLET:-$repo/.build/release/swiftlet}
[ -x "$swiftlet" ] || { echo "demo: $swiftlet is not built: run 'make build' first" >&2; exit 1; }
export SWIFTLET_ROOT
SWIFTLET_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/swiftlet-demo.XXXXXX")
cleanup() {
  "$swiftlet" delete pod kubia-liveness --grace-period 1 >/dev/null 2>&1 || true
  rm -rf "$SWIFTLET_ROOT"
}
trap cleanup EXIT

step() { printf '\n$ %s\n' "$*"; "$@"; }

echo "demo: the broken YAML from the seed's notes is refused, with the field at fault:"
step "$swiftlet" run -f "$here/kubia-liveness-broken.yaml" || true

echo
echo "demo: the corrected pod, with short probe periods (kubia answers 200 five times, then 500):"
step "$swiftlet" run -d -f "$here/kubia-liveness-fast.yaml" --backoff-initial 5s
for i in 1 2 3 4 5; do
  sleep 9
  step "$swiftlet" get pods
done
step "$swiftlet" describe pod kubia-liveness
step "$swiftlet" logs kubia-liveness --previous
step "$swiftlet" delete pod kubia-liveness
