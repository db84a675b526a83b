#!/usr/bin/env bash
# build-busybox.sh [--force]: builds rootfs/busybox/, a minimal root filesystem for demos, tests
# and benchmarks, from Debian's busybox-static package (downloaded, never the host's /bin/busybox).
#
# Quick when already built: a stamp (the hash of this script) says so; --force rebuilds anyway.
# The tree is assembled in a temporary directory beside the output and renamed into place, so a
# reader never sees a half-built rootfs. A lock keeps concurrent builds (make -j, parallel tests)
# from racing. Runnable from any directory.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$here/busybox
stamp=$here/.busybox.stamp
lock=$here/.busybox.lock

die() { echo "build-busybox: $*" >&2; exit 1; }
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

want=$(cat "${BASH_SOURCE[0]}" "$here/lib/applet-links.sh" "$here/lib/etc-files.sh" | sha256sum | cut -d' ' -f1)
is_current() { [ -x "$out/bin/busybox" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; }

if [ "$force" = 0 ] && is_current; then
  exit 0
fi

command -v apt-get >/dev/null || die "apt-get not found: this script needs Debian's busybox-static package"
command -v dpkg-deb >/dev/null || die "dpkg-deb not found"

exec 9>"$lock"
flock 9
# Another builder may have finished while we waited for the lock.
if [ "$force" = 0 ] && is_current; then
  exit 0
fi

work=$(mktemp -d "$here/.busybox.tmp.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "build-busybox: downloading busybox-static"
# apt's sandbox user (_apt) cannot write to our private temp dir; download as root instead.
download() { (cd "$work" && apt-get download -q -o APT::Sandbox::User=root busybox-static); }
if ! download >"$work/apt.log" 2>&1; then
  echo "build-busybox: download failed, refreshing the package lists (apt-get update)"
  apt-get update -q >>"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; die "apt-get update failed"; }
  download >>"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; die "apt-get download busybox-static failed"; }
fi
deb=$(find "$work" -maxdepth 1 -name 'busybox-static_*.deb' -print -quit)
[ -n "$deb" ] || die "no busybox-static .deb was downloaded"
echo "build-busybox: unpacking $(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version)"
dpkg-deb -x "$deb" "$work/deb"

src=
for p in "$work/deb/bin/busybox" "$work/deb/usr/bin/busybox"; do
  if [ -x "$p" ]; then src=$p; break; fi
done
[ -n "$src" ] || die "busybox binary not found in $(basename "$deb")"

root=$work/root
mkdir -p "$root/bin"
install -m 0755 "$src" "$root/bin/busybox"

link_applets "$root"
n=$linked_applets
[ "$n" -gt 100 ] || die "only $n applet links were made; is the busybox binary complete?"

mkdir -p "$root/etc" "$root/proc" "$root/sys" "$root/dev" "$root/run" "$root/var" \
         "$root/tmp" "$root/root" "$root/mnt" "$root/home"
chmod 1777 "$root/tmp"
chmod 0700 "$root/root"
write_etc_files "$root"
chmod 0755 "$root"

# Move the old tree aside (if any) and the new one in: each rename is atomic.
rm -f "$stamp"
if [ -e "$out" ]; then
  mv -T "$out" "$work/old"
fi
mv -T "$root" "$out"
printf '%s\n' "$want" >"$stamp"
echo "build-busybox: built $out ($n applets)"
