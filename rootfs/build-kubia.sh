#!/usr/bin/env bash
# build-kubia.sh [--force]: builds rootfs/kubia-unhealthy/bundle/, the demo's kubia-unhealthy image
# (the "Kubernetes in Action" luksa/kubia-unhealthy, rebuilt): an OCI bundle whose rootfs/ holds
# /app/server (kubia-unhealthy/server.c, linked statically) and busybox (from build-busybox.sh,
# so exec probes and `swiftlet exec` have a shell), and whose config.json gives the image's default
# process: /app/server in /, with PATH set.
#
# Quick when already built: a stamp (hash of this script, server.c and the busybox binary) says
# so; --force rebuilds anyway. The bundle is assembled in a temporary directory beside the output
# and renamed into place, so a reader never sees a half-built image. A lock keeps concurrent
# builds from racing. Runnable from any directory.
set -euo pipefail
umask 022

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$here/kubia-unhealthy/server.c
out=$here/kubia-unhealthy/bundle
stamp=$here/.kubia.stamp
lock=$here/.kubia.lock
busybox=$here/busybox/bin/busybox
CC=${CC:-gcc}

# Applets the image must have: shells for exec probes and `swiftlet exec`, and the usual tools.
required_applets=(sh cat ls ps sleep wget echo test '[' true false hostname kill)

die() { echo "build-kubia: $*" >&2; exit 1; }
# shellcheck source-path=SCRIPTDIR source=lib/applet-links.sh
. "$here/lib/applet-links.sh"
# shellcheck source-path=SCRIPTDIR source=lib/etc-files.sh
. "$here/lib/etc-files.sh"

force=0
case "${1:-}" in
  "") ;;
  --force) force=1 ;;
  *) die "usage: $0 [--force]" ;;
esac

[ -f "$src" ] || die "source not found: $src"
"$here/build-busybox.sh" || die "build-busybox.sh failed"
[ -x "$busybox" ] || die "busybox not found at $busybox after build-busybox.sh"

want=$(cat "${BASH_SOURCE[0]}" "$here/lib/applet-links.sh" "$here/lib/etc-files.sh" "$src" "$busybox" |
  sha256sum | cut -d' ' -f1)
is_current() {
  [ -x "$out/rootfs/app/server" ] && [ -f "$out/config.json" ] &&
    [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]
}

if [ "$force" = 0 ] && is_current; then
  exit 0
fi

command -v "$CC" >/dev/null || die "$CC not found (apt-get install gcc)"
libc_a=$("$CC" -print-file-name=libc.a)
[ -f "$libc_a" ] || die "libc.a not found: static linking needs libc6-dev (apt-get install libc6-dev)"

exec 9>"$lock"
flock 9
# Another builder may have finished while we waited for the lock.
if [ "$force" = 0 ] && is_current; then
  exit 0
fi

work=$(mktemp -d "$here/.kubia.tmp.XXXXXX")
trap 'rm -rf "$work"' EXIT

bundle=$work/bundle
root=$bundle/rootfs
mkdir -p "$root/app" "$root/bin"

echo "build-kubia: compiling $(basename "$src")"
"$CC" -static -O2 -s -std=c11 -Wall -Wextra -D_FORTIFY_SOURCE=2 \
  -o "$root/app/server" "$src" || die "compiling $src failed"
if command -v readelf >/dev/null && readelf -lW "$root/app/server" | grep -q 'INTERP'; then
  die "$root/app/server is not statically linked"
fi
chmod 0755 "$root/app/server"

install -m 0755 "$busybox" "$root/bin/busybox"
link_applets "$root"
n=$linked_applets
for applet in "${required_applets[@]}"; do
  [ -L "$root/bin/$applet" ] || [ -L "$root/usr/bin/$applet" ] || [ -L "$root/sbin/$applet" ] ||
    [ -L "$root/usr/sbin/$applet" ] || die "busybox lacks the '$applet' applet"
done

mkdir -p "$root/etc" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/run" "$root/var" \
         "$root/root"
chmod 1777 "$root/tmp"
chmod 0700 "$root/root"
write_etc_files "$root"

# The image's default process, which a pod container without `command`/`args` runs (the pod
# supervisor reads only `process`). The rest makes the bundle runnable by itself, for trying the
# image by hand: `swiftlet-runtime run --bundle rootfs/kubia-unhealthy/bundle kubia` (or runc).
# The image is never written to (each pod container gets its own overlay): root.readonly.
cat >"$bundle/config.json" <<'EOF'
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false,
    "user": { "uid": 0, "gid": 0 },
    "args": [ "/app/server" ],
    "env": [ "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" ],
    "cwd": "/",
    "noNewPrivileges": true
  },
  "root": { "path": "rootfs", "readonly": true },
  "hostname": "kubia-unhealthy",
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
      "options": [ "nosuid", "strictatime", "mode=755", "size=65536k" ] },
    { "destination": "/dev/pts", "type": "devpts", "source": "devpts",
      "options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" ] },
    { "destination": "/dev/shm", "type": "tmpfs", "source": "shm",
      "options": [ "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" ] },
    { "destination": "/sys", "type": "sysfs", "source": "sysfs",
      "options": [ "nosuid", "noexec", "nodev", "ro" ] },
    { "destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
      "options": [ "nosuid", "nodev", "mode=1777" ] }
  ],
  "linux": {
    "namespaces": [
      { "type": "pid" }, { "type": "network" }, { "type": "ipc" }, { "type": "uts" },
      { "type": "mount" }
    ],
    "maskedPaths": [ "/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware" ],
    "readonlyPaths": [ "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger" ]
  }
}
EOF
chmod 0644 "$bundle/config.json"
chmod 0755 "$bundle" "$root"

# Move the old bundle (if any) aside and the new one in: each rename is atomic.
rm -f "$stamp"
if [ -e "$out" ]; then
  mv -T "$out" "$work/old"
fi
mv -T "$bundle" "$out"
printf '%s\n' "$want" >"$stamp"
echo "build-kubia: built $out ($n busybox applets)"
