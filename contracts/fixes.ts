// What each fix in the remediation catalog is called, how risky and long it
// is, and how it is undone: plain data, so the workflow can show it without
// bundling zod (its bundle is evaluated again for every case). The parameters
// each fix accepts are in ./remediation.ts.
//
// `repairs` says what a fix can repair: 'box' when it changes only the Zen
// box's own settings (the office's computers keep what the router hands them),
// 'office' when it acts on equipment every device on the network goes through.
// A box-only fix may keep the box's own cloud link working; it never shows that
// the office works again.

export const fixDescriptions = {
  renew_dhcp_lease: {
    title: 'Renew the DHCP lease',
    risk: 'low',
    estimatedDuration: '30 seconds',
    undo: 'Nothing to undo: the Pi asks the router for an address again.',
    // The box's own lease; the others hold leases of their own.
    repairs: 'box',
  },
  restart_interface: {
    title: 'Restart the network interface',
    risk: 'medium',
    estimatedDuration: '1 minute',
    undo: 'The interface comes back up by itself; the Pi is offline for a few seconds.',
    // The box's own network interface.
    repairs: 'box',
  },
  flush_dns: {
    title: 'Flush the DNS cache',
    risk: 'low',
    estimatedDuration: '10 seconds',
    undo: 'Nothing to undo: names are looked up again.',
    // The box's own resolver cache.
    repairs: 'box',
  },
  switch_dns_fallback: {
    title: 'Switch to a fallback DNS resolver',
    risk: 'low',
    estimatedDuration: '30 seconds',
    undo: 'The previous resolvers are kept; a technician restores them on the box (zen-agent restore-dns).',
    // The box's own resolvers; the router still hands out its own to everyone else.
    repairs: 'box',
  },
  power_cycle_modem: {
    title: 'Power-cycle the modem through its smart plug',
    risk: 'medium',
    estimatedDuration: '3 minutes',
    undo: 'The modem restarts by itself; the internet is down for about three minutes.',
    // The modem carries the whole office's traffic.
    repairs: 'office',
  },
  power_cycle_router: {
    title: 'Power-cycle the router through its smart plug',
    risk: 'medium',
    estimatedDuration: '3 minutes',
    undo: 'The router restarts by itself; the whole network is down for about three minutes.',
    // The router is every device's gateway, resolver and DHCP server.
    repairs: 'office',
  },
  failover_lte: {
    title: 'Fail over to LTE',
    risk: 'medium',
    estimatedDuration: '1 minute',
    undo: 'Fail back to the wired line (failback_wan) once it works again.',
    // Only the box's own routes move to its LTE modem.
    repairs: 'box',
  },
  failback_wan: {
    title: 'Fail back from LTE to the wired line',
    risk: 'low',
    estimatedDuration: '1 minute',
    undo: 'Fail over to LTE again.',
    // Only the box's own routes move back.
    repairs: 'box',
  },
  router_set_dhcp_dns: {
    title: 'Change the DNS servers the router hands out',
    risk: 'medium',
    estimatedDuration: '2 minutes',
    undo: 'The router keeps the change only once the Zen box has confirmed from the office network that it works, and rolls it back by itself otherwise. The previous setting is kept on the box: a technician restores it with zen-agent router-undo.',
    // What the router's DHCP hands every device.
    repairs: 'office',
  },
  router_set_dhcp_gateway: {
    title: "Set the gateway the router hands out to the router's own address",
    risk: 'medium',
    estimatedDuration: '2 minutes',
    undo: 'The router keeps the change only once the Zen box has confirmed from the office network that it works, and rolls it back by itself otherwise. The previous setting is kept on the box: a technician restores it with zen-agent router-undo.',
    // What the router's DHCP hands every device.
    repairs: 'office',
  },
  router_restart_wan: {
    title: "Restart the router's internet (WAN) connection",
    risk: 'medium',
    estimatedDuration: '2 minutes',
    undo: 'Nothing to undo: the router reconnects with its unchanged settings; the internet is down for up to a minute.',
    // The router's uplink carries the whole office's traffic.
    repairs: 'office',
  },
} as const;

export type ActionId = keyof typeof fixDescriptions;
export type Repairs = (typeof fixDescriptions)[ActionId]['repairs'];
