# shellcheck shell=bash
# Sourced by build-busybox.sh and build-kubia.sh: the /etc files both images ship.

# write_etc_files ROOT: ROOT/etc/passwd, group and hosts, mode 0644. ROOT/etc must exist.
write_etc_files() {
  local root=$1
  cat >"$root/etc/passwd" <<'EOF_PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF_PASSWD
  cat >"$root/etc/group" <<'EOF_GROUP'
root:x:0:
tty:x:5:
nogroup:x:65534:
EOF_GROUP
  cat >"$root/etc/hosts" <<'EOF_HOSTS'
127.0.0.1	localhost
::1	localhost
EOF_HOSTS
  chmod 0644 "$root/etc/passwd" "$root/etc/group" "$root/etc/hosts"
}
