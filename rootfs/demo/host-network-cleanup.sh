#!/usr/bin/env bash
# host-network-cleanup.sh: `make demo` runs its pod on the host's own network (a user wants to
# reach the pod from their shell). This removes what the CNI plugins left there that was not
# there before: the swiftlet0 bridge, the top-level CNI-* iptables chains and the rules that jump
# to them, and ip_forward flipped on by the bridge plugin. Per-pod rules, veths and leases are
# gone already: `delete` runs the plugins' DEL.
#   host-network-cleanup.sh snapshot DIR   # before the demo
#   host-network-cleanup.sh restore DIR    # after it
set -uo pipefail
cmd=$1 dir=$2
tables="filter nat mangle"
case $cmd in
snapshot)
  mkdir -p "$dir"
  for t in $tables; do iptables -t "$t" -S >"$dir/$t.rules" 2>/dev/null || true; done
  cat /proc/sys/net/ipv4/ip_forward >"$dir/ip_forward"
  if ip link show swiftlet0 >/dev/null 2>&1; then touch "$dir/had-bridge"; fi
  ;;
restore)
  for t in $tables; do
    [ -f "$dir/$t.rules" ] || continue
    now=$(iptables -t "$t" -S 2>/dev/null) || continue
    # Rules that are new and mention a CNI- chain, then the new CNI- chains themselves.
    while IFS= read -r rule; do
      grep -qxF -- "$rule" "$dir/$t.rules" && continue
      case $rule in
      -A*CNI-*) eval "iptables -t $t -D ${rule#-A }" 2>/dev/null || true ;;
      esac
    done <<<"$now"
    while IFS= read -r rule; do
      grep -qxF -- "$rule" "$dir/$t.rules" && continue
      case $rule in
      "-N CNI-"*) chain=${rule#-N }; iptables -t "$t" -F "$chain" 2>/dev/null; iptables -t "$t" -X "$chain" 2>/dev/null || true ;;
      esac
    done <<<"$now"
  done
  [ -e "$dir/had-bridge" ] || ip link del swiftlet0 2>/dev/null || true
  if [ -f "$dir/ip_forward" ]; then cat "$dir/ip_forward" >/proc/sys/net/ipv4/ip_forward; fi
  ;;
*) echo "usage: $0 snapshot|restore DIR" >&2; exit 2 ;;
esac
