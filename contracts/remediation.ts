import { z } from 'zod';
import { fixDescriptions, type ActionId as FixId } from './fixes';

// The remediation catalog: the only changes the product can make on a customer's
// network. The agent checks every command against this same list.

export type ActionId = FixId;
export const actionIds = Object.keys(fixDescriptions) as [ActionId, ...ActionId[]];

const ipv4 = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/);
const iface = z.enum(['eth0', 'wlan0']);
/** An IPv4 address whose every part is 0-255: it goes into a router's settings. */
const strictIpv4 = ipv4.refine((a) => a.split('.').every((part) => Number(part) <= 255), {
  message: 'an IPv4 address like 192.168.1.1',
});

const paramSchemas = {
  renew_dhcp_lease: z.object({ interface: iface }).strict(),
  restart_interface: z.object({ interface: iface }).strict(),
  flush_dns: z.object({}).strict(),
  switch_dns_fallback: z.object({ resolver: ipv4 }).strict(),
  power_cycle_modem: z.object({ offSeconds: z.number().int().min(5).max(60) }).strict(),
  power_cycle_router: z.object({ offSeconds: z.number().int().min(5).max(60) }).strict(),
  failover_lte: z.object({}).strict(),
  failback_wan: z.object({}).strict(),
  /** One or two resolvers every device gets; the router's own LAN address means the router itself. */
  router_set_dhcp_dns: z
    .object({
      servers: z
        .array(strictIpv4)
        .min(1)
        .max(2)
        .refine((s) => new Set(s).size === s.length, { message: 'the same server twice' }),
    })
    .strict(),
  /** Only the router's own LAN address makes sense; the agent checks it against the router. */
  router_set_dhcp_gateway: z.object({ gateway: strictIpv4 }).strict(),
  router_restart_wan: z.object({}).strict(),
} satisfies Record<ActionId, z.ZodType>;

/** Every fix: its description (./fixes.ts) and the parameters it accepts. */
export const remediationCatalog = Object.fromEntries(
  actionIds.map((id) => [id, { ...fixDescriptions[id], params: paramSchemas[id] }]),
) as { [K in ActionId]: (typeof fixDescriptions)[K] & { params: (typeof paramSchemas)[K] } };

export const ActionId = z.enum(actionIds);

/** Checks an action and its parameters against the catalog; throws a ZodError when off it. */
export function parseRemediation(action: string, params: unknown) {
  const id = ActionId.parse(action);
  return {
    action: id,
    params: remediationCatalog[id].params.parse(params) as Record<string, unknown>,
  };
}
