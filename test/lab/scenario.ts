import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { IssueCategory } from '../../contracts/case';
import { CheckName } from '../../contracts/diagnostics';
import { ActionId } from '../../contracts/remediation';

// A lab scenario is a data file in scenarios/ (format in README.md): the
// network it builds, the faults it makes, what the agent must find, the fix
// that must repair it, and how a support case about it ends.

const ipv4 = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/);
const mac = z.string().regex(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);

export const Fault = z.discriminatedUnion('kind', [
  /** The router's DNS forwarder stops answering (a setting: a reboot keeps it). */
  z.object({ kind: z.literal('resolver-down') }).strict(),
  /** The router hangs: nothing in or out, not even ARP, until its plug cycles it. */
  z.object({ kind: z.literal('router-hung') }).strict(),
  /** The modem hangs: management address silent, nothing passes, until its plug cycles it. */
  z.object({ kind: z.literal('modem-hung') }).strict(),
  /** The ISP drops everything from the customer's line (the LTE path is another line). */
  z.object({ kind: z.literal('isp-outage') }).strict(),
  /** The ISP's side loses this share of the packets coming from the customer's line. */
  z.object({ kind: z.literal('packet-loss'), pct: z.number().int().min(1).max(99) }).strict(),
  /** The Pi lost its lease (its DHCP client gave up while the router was away): self-assigned address, no resolvers. */
  z.object({ kind: z.literal('lease-lost') }).strict(),
  /** The switch port of the Pi goes down: no carrier on the Pi's eth0. */
  z.object({ kind: z.literal('link-down') }).strict(),
  /** A consumer router on the switch runs its own DHCP server, handing out a dead gateway and DNS. */
  z.object({ kind: z.literal('rogue-dhcp') }).strict(),
  /** The router's DNS lies about the test name: a private address, or "no such name". */
  z.object({ kind: z.literal('dns-hijack'), answer: z.enum(['private', 'nxdomain']) }).strict(),
  /** The line's MTU drops to `mtu` and the modem drops the "fragmentation needed" errors. */
  z.object({ kind: z.literal('mtu-blackhole'), mtu: z.number().int().min(576).max(1499) }).strict(),
  /** The router sends every plain HTTP request from the LAN to its own login page. */
  z.object({ kind: z.literal('captive-portal') }).strict(),
  /** The router answers HTTPS for every site itself, with a certificate from its own CA. */
  z.object({ kind: z.literal('tls-intercept') }).strict(),
  /** The router drops or rejects outgoing TCP to one port. */
  z
    .object({
      kind: z.literal('port-blocked'),
      port: z.number().int().min(1).max(65535),
      how: z.enum(['drop', 'reject']),
    })
    .strict(),
  /** The reference time server answers this far off (the box's clock itself stays right). */
  z.object({ kind: z.literal('clock-skew'), seconds: z.number().int() }).strict(),
  /** The line's rate capped each way (kbit/s), with a short queue (tens of ms). */
  z
    .object({
      kind: z.literal('slow-line'),
      downKbit: z.number().int().min(64).max(1_000_000),
      upKbit: z.number().int().min(64).max(1_000_000),
    })
    .strict(),
  /** The same kind of cap with a queue that holds `queueMs` of traffic: latency explodes under load. */
  z
    .object({
      kind: z.literal('bufferbloat'),
      downKbit: z.number().int().min(64).max(1_000_000),
      upKbit: z.number().int().min(64).max(1_000_000),
      queueMs: z.number().int().min(100).max(5000),
    })
    .strict(),
  /** The line adds `ms` to every round trip (satellite, congested peering). */
  z.object({ kind: z.literal('high-latency'), ms: z.number().int().min(1).max(5000) }).strict(),
  /** The router's own queries to its upstream resolver take `ms` more. */
  z.object({ kind: z.literal('dns-slow'), ms: z.number().int().min(1).max(5000) }).strict(),
  /** The router's DHCP hands out a resolver that does not answer; every device renews. */
  z.object({ kind: z.literal('dhcp-dns-dead'), resolver: ipv4 }).strict(),
  /** The router's DHCP hands out a gateway that is not the router; every device renews. */
  z.object({ kind: z.literal('dhcp-gateway-wrong'), gateway: ipv4 }).strict(),
  /** The router's WAN interface lost its address (a hung ISP DHCP or PPPoE session). */
  z.object({ kind: z.literal('router-wan-down') }).strict(),
  /** Another device on the switch takes the Pi's own address (a fixed address set by hand). */
  z.object({ kind: z.literal('ip-conflict') }).strict(),
  /** A device on the switch also holds the router's address: two MACs answer ARP for it. */
  z.object({ kind: z.literal('gateway-impostor') }).strict(),
  /** The router still advertises IPv6, but the line drops every IPv6 packet. */
  z.object({ kind: z.literal('ipv6-blackhole') }).strict(),
  /** The network printer loses power after the box's inventory saw it. */
  z.object({ kind: z.literal('device-offline') }).strict(),
]);
export type Fault = z.infer<typeof Fault>;

const officePcView = z
  .object({ dns: z.boolean(), internet: z.boolean(), http: z.boolean() })
  .partial()
  .strict()
  .optional();

export const Scenario = z
  .object({
    description: z.string().min(1),
    topology: z
      .object({
        /** The router's DHCP pool and the leases other devices already hold in it. */
        dhcpPool: z
          .object({ start: ipv4, end: ipv4, leases: z.array(z.tuple([mac, ipv4])).optional() })
          .strict()
          .optional(),
        /** The router serves its OpenWrt API and the box has a login for it. */
        routerApi: z.boolean().optional(),
      })
      .strict()
      .default({}),
    faults: z.array(Fault),
    /** The checks the agent runs; all of them when absent. */
    checks: z.array(CheckName).min(1).optional(),
    /** Exactly the checks that must fail (the others must pass), apart from `unsteady`. */
    expectedFailing: z.array(CheckName),
    /** Checks the fault may or may not break on a given run (random loss): not asserted. */
    unsteady: z.array(CheckName).default([]),
    /** A catalog action that must repair the network in the lab. */
    fix: z
      .object({
        action: ActionId,
        params: z.record(z.string(), z.unknown()),
        /** The checks that must pass afterwards; all the scenario's checks when absent. */
        repairs: z.array(CheckName).optional(),
      })
      .strict()
      .optional(),
    /** How a support case about it ends with the real agent and the offline advisor. */
    expectedEnd: z
      .object({
        status: z.enum(['resolved', 'escalated']),
        category: IssueCategory,
        /** The fix the case proposes and carries out, when it resolves by one. */
        action: ActionId.optional(),
      })
      .strict(),
    /** Also run it as a whole support case through the real stack. */
    endToEnd: z.boolean().default(false),
    /** The way the box's own link reaches the cloud while the fault lasts. */
    cloudLink: z.enum(['wired', 'lte']).default('wired'),
    /** What the office PC gets while the fault lasts, once restarted (only the named views are asserted). */
    officePcDuring: officePcView,
    /** What the office PC gets at the end of the whole case, once restarted (only the named views are asserted). */
    officePcAfter: officePcView,
    /**
     * The step on site the whole case asks of the customer (its title). The lab's customer
     * takes it (`takes`: the faults go, as the steps say) or not, and says it is done; the
     * case then ends resolved or escalated. `expectedEnd` stays the end without anyone on
     * site, which the eval scores.
     */
    customerStep: z
      .object({ title: z.string().min(1), takes: z.boolean() })
      .strict()
      .optional(),
    /** What the customer says when opening the case (the long-tail faults pass every basic check). */
    customerSays: z.string().min(1).max(500).optional(),
  })
  .strict();
export type Scenario = z.infer<typeof Scenario>;

const dir = path.join(__dirname, 'scenarios');

export function loadScenarios(): { name: string; scenario: Scenario }[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const name = file.replace(/\.json$/, '');
      const parsed = Scenario.safeParse(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
      if (!parsed.success) throw new Error(`scenarios/${file}: ${z.prettifyError(parsed.error)}`);
      return { name, scenario: parsed.data };
    });
}
