#!/usr/bin/env bash
# run-demo.sh: the seed's story with swiftlet. Starts rootfs/demo/kubia-liveness-fast.yaml (the
# node daemon starts with it), shows `get pods` while the liveness probe turns the pod unhealthy
# and the container is killed and restarted, kills the daemon with SIGKILL and starts a new one
# (the pod runs on untouched: same container, same restart count), then `describe pod` (events
# as in the seed's notes), then deletes the pod. The pod is on swiftlet's default CNI network in the host's own namespace, so
# its IP answers `curl` from this shell; the same IP after every restart. State lives in a temp
# dir removed at the end, and what the plugins left on the host (bridge, chains) is removed too.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
swiftlet=${SWIFTLET:-$repo/.build/release/swiftlet}
[ -x "$swiftlet" ] || { echo "demo: $swiftlet is not built: run 'make build' first" >&2; exit 1; }
export SWIFTLET_ROOT
SWIFTLET_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/swiftlet-demo.XXXXXX")
# An empty CNI config dir of the demo's own: swiftlet's default network, whatever /etc/cni/net.d holds.
mkdir -p "$SWIFTLET_ROOT/cni-conf"
cleanup() {
  "$swiftlet" delete pod kubia-liveness --grace-period 1 >/dev/null 2>&1 || true
  # The daemon the demo started itself stays until stopped; the keeper then leaves by itself.
  [ -f "$SWIFTLET_ROOT/daemon.pid" ] && kill "$(cat "$SWIFTLET_ROOT/daemon.pid")" 2>/dev/null || true
  for _ in $(seq 50); do [ -f "$SWIFTLET_ROOT/keeper.pid" ] || break; sleep 0.1; done
  if [ -f "$SWIFTLET_ROOT/host-before/ip_forward" ]; then
    "$here/host-network-cleanup.sh" restore "$SWIFTLET_ROOT/host-before"
  fi
  rm -rf "$SWIFTLET_ROOT"
}
trap cleanup EXIT
"$here/host-network-cleanup.sh" snapshot "$SWIFTLET_ROOT/host-before"
pod_ip() {
  "$swiftlet" get pods kubia-liveness -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"].get("podIP",""))'
}

step() { printf '\n$ %s\n' "$*"; "$@"; }

echo "demo: the broken YAML from the seed's notes is refused, with the field at fault:"
step "$swiftlet" run -f "$here/kubia-liveness-broken.yaml" || true

echo
echo "demo: the corrected pod, with short probe periods (kubia answers 200 five times, then 500):"
step "$swiftlet" run -d -f "$here/kubia-liveness-fast.yaml" --backoff-initial 5s --cni-conf-dir "$SWIFTLET_ROOT/cni-conf"
ip=$(pod_ip)
echo
echo "demo: the pod's IP is $ip; from this shell:"
step curl -s -m 2 "http://$ip:8080/"
for i in 1 2 3; do
  sleep 9
  step "$swiftlet" get pods -o wide
  step curl -s -m 2 "http://$ip:8080/" || true
  echo "(pod IP now: $(pod_ip))"
done
pid_of_kubia() {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["containers"][0].get("pid"))' "$SWIFTLET_ROOT/pods/kubia-liveness/pod.json"
}
echo
echo "demo: the node daemon crashes (SIGKILL); swiftlet-keeper holds the container, its log and its exit:"
echo "(container pid $(pid_of_kubia))"
step kill -9 "$(cat "$SWIFTLET_ROOT/daemon.pid")"
step "$swiftlet" get pods
echo
echo "demo: a new daemon takes the pod over: same container, same restart count, probes go on:"
step "$swiftlet" daemon -d
echo "(container pid $(pid_of_kubia))"
for i in 1 2; do
  sleep 9
  step "$swiftlet" get pods -o wide
done
step "$swiftlet" describe pod kubia-liveness
step "$swiftlet" logs kubia-liveness --previous
step "$swiftlet" delete pod kubia-liveness
