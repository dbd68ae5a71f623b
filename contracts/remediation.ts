import { z } from 'zod';

// The remediation catalog: the only changes the product can make on a customer's
// network. The agent checks every command against this same list.

const ipv4 = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/);
const iface = z.enum(['eth0', 'wlan0']);

export const remediationCatalog = {
  renew_dhcp_lease: {
    title: 'Renew the DHCP lease',
    params: z.object({ interface: iface }).strict(),
    risk: 'low',
    estimatedDuration: '30 seconds',
    undo: 'Nothing to undo: the Pi asks the router for an address again.',
  },
  restart_interface: {
    title: 'Restart the network interface',
    params: z.object({ interface: iface }).strict(),
    risk: 'medium',
    estimatedDuration: '1 minute',
    undo: 'The interface comes back up by itself; the Pi is offline for a few seconds.',
  },
  flush_dns: {
    title: 'Flush the DNS cache',
    params: z.object({}).strict(),
    risk: 'low',
    estimatedDuration: '10 seconds',
    undo: 'Nothing to undo: names are looked up again.',
  },
  switch_dns_fallback: {
    title: 'Switch to a fallback DNS resolver',
    params: z.object({ resolver: ipv4 }).strict(),
    risk: 'low',
    estimatedDuration: '30 seconds',
    undo: 'The previous resolvers are kept; a technician restores them on the box (zen-agent restore-dns).',
  },
  power_cycle_modem: {
    title: 'Power-cycle the modem through its smart plug',
    params: z.object({ offSeconds: z.number().int().min(5).max(60) }).strict(),
    risk: 'medium',
    estimatedDuration: '3 minutes',
    undo: 'The modem restarts by itself; the internet is down for about three minutes.',
  },
  power_cycle_router: {
    title: 'Power-cycle the router through its smart plug',
    params: z.object({ offSeconds: z.number().int().min(5).max(60) }).strict(),
    risk: 'medium',
    estimatedDuration: '3 minutes',
    undo: 'The router restarts by itself; the whole network is down for about three minutes.',
  },
  failover_lte: {
    title: 'Fail over to LTE',
    params: z.object({}).strict(),
    risk: 'medium',
    estimatedDuration: '1 minute',
    undo: 'Fail back to the wired line (failback_wan) once it works again.',
  },
  failback_wan: {
    title: 'Fail back from LTE to the wired line',
    params: z.object({}).strict(),
    risk: 'low',
    estimatedDuration: '1 minute',
    undo: 'Fail over to LTE again.',
  },
} as const;

export type ActionId = keyof typeof remediationCatalog;
export const actionIds = Object.keys(remediationCatalog) as [ActionId, ...ActionId[]];
export const ActionId = z.enum(actionIds);

/** Checks an action and its parameters against the catalog; throws a ZodError when off it. */
export function parseRemediation(action: string, params: unknown) {
  const id = ActionId.parse(action);
  return {
    action: id,
    params: remediationCatalog[id].params.parse(params) as Record<string, unknown>,
  };
}
