import { z } from 'zod';
import { checkNames } from './checks';

// The diagnostics catalog: every check the agent can run and the shape of its
// result. Strings that come from the network (SSIDs, hostnames, banners,
// mDNS names) are untrusted and reach the advisor only as quoted data.

export const CheckName = z.enum(checkNames);
export type CheckName = z.infer<typeof CheckName>;

const ipv4 = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/);
const ms = z.number().nonnegative();
const pct = z.number().min(0).max(100);

export const checkData = {
  /** Interface and link status. */
  link: z.object({
    interface: z.string().max(32),
    up: z.boolean(),
    speedMbps: z.number().optional(),
  }),
  /** Address, lease and resolvers as configured on the Pi. */
  ip_config: z.object({
    interface: z.string().max(32),
    address: ipv4.optional(),
    prefixLength: z.number().int().min(0).max(32).optional(),
    gateway: ipv4.optional(),
    dnsServers: z.array(ipv4).max(8),
    leaseValid: z.boolean(),
    /** A 169.254.x.x self-assigned address: DHCP gave nothing. */
    linkLocalOnly: z.boolean(),
  }),
  /** A DHCP discover on the LAN: is a server there, does it offer an address? */
  dhcp: z.object({
    serverReachable: z.boolean(),
    offerReceived: z.boolean(),
    server: ipv4.optional(),
  }),
  /** Default gateway: ARP and ping. */
  gateway: z.object({
    address: ipv4.optional(),
    arpResolved: z.boolean(),
    lossPct: pct,
    rttMs: ms.optional(),
  }),
  /** A name resolved through the configured resolver and a reference resolver. */
  dns: z.object({
    name: z.string().max(253),
    configured: z.object({ server: ipv4.optional(), ok: z.boolean(), ms: ms.optional() }),
    reference: z.object({ server: ipv4, ok: z.boolean(), ms: ms.optional() }),
  }),
  /** Ping to internet targets by address. */
  internet: z.object({
    targets: z
      .array(
        z.object({
          host: ipv4,
          sent: z.number().int().nonnegative(),
          lossPct: pct,
          avgMs: ms.optional(),
          jitterMs: ms.optional(),
        }),
      )
      .max(8),
  }),
  /** HTTP(S) reachability with timings. */
  http: z.object({
    url: z.string().max(2048),
    ok: z.boolean(),
    status: z.number().int().optional(),
    totalMs: ms.optional(),
    /** Untrusted: the server's banner. */
    serverHeader: z.string().max(512).optional(),
  }),
  traceroute: z.object({
    target: ipv4,
    reachedTarget: z.boolean(),
    hops: z
      .array(z.object({ ttl: z.number().int(), address: ipv4.optional(), ms: ms.optional() }))
      .max(64),
  }),
  /** The modem's LAN management address (e.g. a cable modem's 192.168.100.1). */
  modem: z.object({
    managementAddress: ipv4,
    reachable: z.boolean(),
    /** The modem's own word on its upstream, when it gives one. */
    upstreamLocked: z.boolean().optional(),
  }),
  /** LAN discovery over mDNS. Untrusted: names and hosts are whatever devices announce. */
  mdns: z.object({
    services: z
      .array(
        z.object({
          name: z.string().max(255),
          type: z.string().max(64),
          host: z.string().max(255),
        }),
      )
      .max(100),
  }),
  /** The Pi's LTE modem over serial AT commands. */
  lte: z.object({
    present: z.boolean(),
    registered: z.boolean().optional(),
    signalDbm: z.number().optional(),
    operator: z.string().max(64).optional(),
  }),
} satisfies Record<CheckName, z.ZodType>;

function resultOf<K extends CheckName>(check: K) {
  return z.object({
    check: z.literal(check),
    /** Did the check find this part working? */
    ok: z.boolean(),
    durationMs: ms,
    data: checkData[check],
    error: z.string().max(500).optional(),
  });
}

export const CheckResult = z.discriminatedUnion('check', [
  resultOf('link'),
  resultOf('ip_config'),
  resultOf('dhcp'),
  resultOf('gateway'),
  resultOf('dns'),
  resultOf('internet'),
  resultOf('http'),
  resultOf('traceroute'),
  resultOf('modem'),
  resultOf('mdns'),
  resultOf('lte'),
]);
export type CheckResult = z.infer<typeof CheckResult>;
