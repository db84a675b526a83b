# shellcheck shell=bash
# Sourced by build-busybox.sh and build-kubia.sh: busybox's applets as links.

# link_applets ROOT: one relative symlink per applet of ROOT/bin/busybox ("usr/bin/wget" ->
# "../../bin/busybox"), so the links resolve both inside the container and when the tree is
# inspected from the host. Sets linked_applets to how many were made.
link_applets() {
  local root=$1 applet
  linked_applets=0
  while IFS= read -r applet; do
    if [ -z "$applet" ] || [ -e "$root/$applet" ] || [ -L "$root/$applet" ]; then
      continue
    fi
    mkdir -p "$root/$(dirname "$applet")"
    ln -sr "$root/bin/busybox" "$root/$applet"
    linked_applets=$((linked_applets + 1))
  done < <("$root/bin/busybox" --list-full)
}
