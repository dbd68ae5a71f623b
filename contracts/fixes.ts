// What each fix in the remediation catalog is called, how risky and long it
// is, and how it is undone: plain data, so the workflow can show it without
// bundling zod (its bundle is evaluated again for every case). The parameters
// each fix accepts are in ./remediation.ts.

export const fixDescriptions = {
  renew_dhcp_lease: {
    title: 'Renew the DHCP lease',
    risk: 'low',
    estimatedDuration: '30 seconds',
    undo: 'Nothing to undo: the Pi asks the router for an address again.',
  },
  restart_interface: {
    title: 'Restart the network interface',
    risk: 'medium',
    estimatedDuration: '1 minute',
    undo: 'The interface comes back up by itself; the Pi is offline for a few seconds.',
  },
  flush_dns: {
    title: 'Flush the DNS cache',
    risk: 'low',
    estimatedDuration: '10 seconds',
    undo: 'Nothing to undo: names are looked up again.',
  },
  switch_dns_fallback: {
    title: 'Switch to a fallback DNS resolver',
    risk: 'low',
    estimatedDuration: '30 seconds',
    undo: 'The previous resolvers are kept; a technician restores them on the box (zen-agent restore-dns).',
  },
  power_cycle_modem: {
    title: 'Power-cycle the modem through its smart plug',
    risk: 'medium',
    estimatedDuration: '3 minutes',
    undo: 'The modem restarts by itself; the internet is down for about three minutes.',
  },
  power_cycle_router: {
    title: 'Power-cycle the router through its smart plug',
    risk: 'medium',
    estimatedDuration: '3 minutes',
    undo: 'The router restarts by itself; the whole network is down for about three minutes.',
  },
  failover_lte: {
    title: 'Fail over to LTE',
    risk: 'medium',
    estimatedDuration: '1 minute',
    undo: 'Fail back to the wired line (failback_wan) once it works again.',
  },
  failback_wan: {
    title: 'Fail back from LTE to the wired line',
    risk: 'low',
    estimatedDuration: '1 minute',
    undo: 'Fail over to LTE again.',
  },
} as const;

export type ActionId = keyof typeof fixDescriptions;
