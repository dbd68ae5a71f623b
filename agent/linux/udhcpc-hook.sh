#!/bin/sh
# busybox udhcpc calls this with the lease in its environment ($ip, $mask,
# $router, $dns, $serverid, $lease). It configures only the interface it was
# called for and writes resolvers to $ZEN_RESOLV_CONF, never /etc/resolv.conf.
# ZEN_DHCP_PROBE=1: only report the offer (the agent's dhcp check).

case "$1" in
  bound|renew)
    if [ "$ZEN_DHCP_PROBE" = 1 ]; then
      echo "offer server=${serverid:-} address=${ip:-}"
      exit 0
    fi
    # Lifetimes from the lease: the kernel then shows when the lease runs out.
    ip -4 addr flush dev "$interface" scope global
    ip -4 addr add "$ip/${mask:-24}" dev "$interface" valid_lft "${lease:-3600}" preferred_lft "${lease:-3600}"
    ip -4 addr flush dev "$interface" scope link
    for gw in $router; do
      ip -4 route replace default via "$gw" dev "$interface" metric 100
      break
    done
    if [ -n "$ZEN_RESOLV_CONF" ] && [ -n "$dns" ]; then
      : > "$ZEN_RESOLV_CONF.new"
      for server in $dns; do echo "nameserver $server" >> "$ZEN_RESOLV_CONF.new"; done
      # In place, not renamed: the file may be a bind mount.
      cat "$ZEN_RESOLV_CONF.new" > "$ZEN_RESOLV_CONF" && rm -f "$ZEN_RESOLV_CONF.new"
    fi
    echo "bound $ip/${mask:-24} router=${router:-} dns=${dns:-} server=${serverid:-}"
    ;;
  leasefail|nak)
    echo "$1"
    ;;
esac
exit 0
