#!/usr/bin/env bash
# demo.sh: runs one busybox container with swiftlet-runtime and shows, from inside, what it is
# isolated from. Everything it makes (bundle, state dir) lives in a temp dir removed on exit.
# SWIFTLET_RUNTIME=PATH picks the runtime binary (default: .build/release, then .build/debug).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")

die() { echo "demo: $*" >&2; exit 1; }

rt=${SWIFTLET_RUNTIME:-}
if [ -z "$rt" ]; then
  for p in "$repo/.build/release/swiftlet-runtime" "$repo/.build/debug/swiftlet-runtime"; do
    if [ -x "$p" ]; then rt=$p; break; fi
  done
  [ -n "$rt" ] || die "swiftlet-runtime is not built: run 'make build' first"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/swiftlet-demo.XXXXXX")
state=$tmp/state
id=demo-$$
cleanup() {
  # Only matters if we were interrupted: `run` removes the container when it exits.
  "$rt" --root "$state" kill "$id" KILL >/dev/null 2>&1 || true
  "$rt" --root "$state" delete "$id" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

script='
echo "== id";                          id
echo "== hostname";                    hostname
echo "== ps (own PID namespace)";      ps -o pid,user,comm
echo "== ip link (own net namespace)"; ip link
echo "== capabilities";                grep Cap /proc/self/status
echo "== ls /dev (minimal /dev)";      ls /dev
'

"$here/make-bundle.sh" --runtime "$rt" "$tmp/bundle" sh -c "$script" >/dev/null
echo "demo: host is $(hostname), $(find /dev -mindepth 1 -maxdepth 1 | wc -l) entries in /dev"
echo "demo: $rt --root $state run --bundle $tmp/bundle $id"
echo
rc=0
"$rt" --root "$state" run --bundle "$tmp/bundle" "$id" </dev/null || rc=$?
echo
if [ "$rc" -ne 0 ]; then
  die "container exited with status $rc"
fi
echo "demo: container exited with status 0"
