#!/usr/bin/env bash
# make-bundle.sh [--terminal] [--runtime PATH] DIR [ARGS...]
#
# Creates an OCI bundle in DIR whose config.json runs ARGS (default: sh) in rootfs/busybox.
# No rootfs is copied: root.path is the absolute path of rootfs/busybox, kept read-only, so
# any number of bundles share one tree. config.json starts from the runtime's own `spec`
# (swiftlet-runtime by default; --runtime runc gives runc's), then process.args and
# process.terminal (false unless --terminal) are set.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")

die() { echo "make-bundle: $*" >&2; exit 1; }
usage() { die "usage: $0 [--terminal] [--runtime PATH] DIR [ARGS...]"; }

terminal=false
runtime=${SWIFTLET_RUNTIME:-}
while [ $# -gt 0 ]; do
  case "$1" in
    --terminal) terminal=true; shift ;;
    --runtime) [ $# -ge 2 ] || usage; runtime=$2; shift 2 ;;
    -h|--help) usage ;;
    -*) die "unknown option: $1" ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || usage
dir=$1; shift
[ $# -gt 0 ] || set -- sh

if [ -z "$runtime" ]; then
  for p in "$repo/.build/release/swiftlet-runtime" "$repo/.build/debug/swiftlet-runtime"; do
    if [ -x "$p" ]; then runtime=$p; break; fi
  done
  [ -n "$runtime" ] || die "swiftlet-runtime not built (make build), and no --runtime given"
fi
path=$(command -v "$runtime") || die "runtime not found: $runtime"
runtime=$path
case "$runtime" in /*) ;; *) runtime=$PWD/$runtime ;; esac  # we cd below

"$here/build-busybox.sh"

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
[ ! -e "$dir/config.json" ] || die "$dir/config.json already exists"

# `runc spec` and `crun spec` write ./config.json; `swiftlet-runtime spec` prints it. Accept both.
spec=$(cd "$dir" && "$runtime" spec) || die "$runtime spec failed"
if [ ! -e "$dir/config.json" ]; then
  [ -n "$spec" ] || die "$runtime spec printed nothing"
  printf '%s\n' "$spec" >"$dir/config.json"
fi

python3 - "$dir/config.json" "$here/busybox" "$terminal" "$@" <<'EOF'
import json, sys
path, rootfs, terminal, args = sys.argv[1], sys.argv[2], sys.argv[3] == "true", sys.argv[4:]
with open(path) as f:
    config = json.load(f)
config.setdefault("root", {})["path"] = rootfs
config["root"]["readonly"] = True
config.setdefault("process", {})["args"] = args
config["process"]["terminal"] = terminal
with open(path, "w") as f:
    json.dump(config, f, indent=2)
    f.write("\n")
EOF
echo "$dir"
