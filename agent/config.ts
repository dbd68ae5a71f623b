import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { cloudUrlProblem } from './cloud/trust';
import { MonitorConfig } from './monitor/config';

// The agent's config file (JSON). Every field is documented in agent/README.md
// ("Configuration"); a bad file stops the agent with the field it got wrong.

const ipv4 = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/, 'an IPv4 address like 192.168.1.1');
const ifaceName = z.string().regex(/^[A-Za-z0-9_.-]{1,15}$/, 'a Linux interface name');
const httpUrl = z.url({ protocol: /^https?$/ });
const hostName = z
  .string()
  .regex(/^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/, 'a host name or an IPv4 address');
/** The device token goes there: https, or plain http to loopback only. */
const cloudUrl = httpUrl.check((ctx) => {
  const problem = cloudUrlProblem(ctx.value);
  if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
});

export const AgentConfig = z
  .object({
    apiUrl: cloudUrl.default('http://127.0.0.1:4000'),
    tokenFile: z.string().min(1).optional(),
    journalPath: z.string().min(1).optional(),
    interface: ifaceName.default('eth0'),
    resolvConfPath: z.string().min(1).default('/etc/resolv.conf'),
    referenceResolver: ipv4.default('1.1.1.1'),
    dnsTestName: z.string().min(1).max(253).default('www.example.com'),
    internetTargets: z.array(ipv4).min(1).max(8).default(['1.1.1.1', '8.8.8.8']),
    pingCount: z.number().int().min(3).max(50).default(10),
    httpUrl: httpUrl.default('https://www.example.com/'),
    tracerouteTarget: ipv4.optional(),
    modemAddress: ipv4.default('192.168.100.1'),
    /** A page whose body is known: a portal or a proxy on the way shows as a difference. */
    captivePortal: z
      .object({
        url: z.url({ protocol: /^http$/ }),
        expectedBody: z.string().min(1).max(200),
      })
      .strict()
      .default({ url: 'http://detectportal.firefox.com/success.txt', expectedBody: 'success' }),
    tcpTls: z
      .object({
        /** Where to connect; the reference resolver's 853 and the httpUrl host's 443 when absent. */
        targets: z
          .array(
            z
              .object({
                host: hostName,
                port: z.number().int().min(1).max(65535),
                tls: z.boolean().default(true),
              })
              .strict(),
          )
          .min(1)
          .max(8)
          .optional(),
        /** PEM CA certificate(s) the targets must chain to, instead of the system's. */
        caFile: z.string().min(1).optional(),
      })
      .strict()
      .default({}),
    /** The SNTP server the clock_offset check asks (UDP 123). */
    ntpServer: hostName.default('time.cloudflare.com'),
    smartPlugs: z
      .object({ modem: httpUrl.optional(), router: httpUrl.optional() })
      .strict()
      .default({}),
    lte: z
      .object({
        interface: ifaceName,
        gateway: ipv4.optional(),
        /** The carrier's resolver; the gateway when absent. */
        dns: ipv4.optional(),
      })
      .strict()
      .optional(),
    /** How the box reaches the cloud: the office network first, its own LTE when that fails. */
    cloudPath: z
      .enum(['auto', 'wired', 'lte'], {
        error: 'one of "auto" (wired, LTE while wired cannot reach the cloud), "wired" or "lte"',
      })
      .default('auto'),
    cloudLink: z
      .object({
        /** How long the cloud must be unreachable over wired before the link moves to LTE. */
        failoverAfterSeconds: z.number().int().min(1).max(3600).default(15),
        /** On wired, how often the link checks that the cloud still answers (wired data is free). */
        wiredProbeSeconds: z.number().int().min(1).max(300).default(5),
        /** On LTE, how often the wired path is tried in the background. */
        wiredCheckSeconds: z.number().int().min(1).max(3600).default(15),
        /** Hysteresis: the least time between two switches, and how long wired must answer before going back. */
        holdSeconds: z.number().int().min(1).max(86_400).default(60),
        /** The heartbeat's interval while on LTE (metered). */
        lteHeartbeatSeconds: z.number().int().min(10).max(86_400).default(300),
        /** LTE data the box may use in a calendar month; no limit when absent. */
        monthlyBudgetMB: z.number().positive().max(1_000_000).optional(),
        /** Once the budget is used: keep a minimal link, or none at all over LTE. */
        whenBudgetUsed: z.enum(['minimal', 'offline']).default('minimal'),
      })
      .strict()
      .default({
        failoverAfterSeconds: 15,
        wiredProbeSeconds: 5,
        wiredCheckSeconds: 15,
        holdSeconds: 60,
        lteHeartbeatSeconds: 300,
        whenBudgetUsed: 'minimal',
      }),
    /** How the box trusts the cloud (README.md "Secure transport"). */
    tls: z
      .object({
        /** PEM CA certificate(s) to trust instead of the system store. */
        caFile: z.string().min(1).optional(),
        /** base64 sha256 of the cloud's SubjectPublicKeyInfo; give a backup pin for rotation. */
        pins: z
          .array(z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'a base64 sha256 digest'))
          // An empty list would refuse every server: leave pins out to pin nothing.
          .min(1, 'at least one pin, or leave tls.pins out')
          .max(4)
          .optional(),
      })
      .strict()
      .default({}),
    serialPorts: z
      .object({ led: z.string().min(1).optional(), lteModem: z.string().min(1).optional() })
      .strict()
      .default({}),
    network: z
      .object({
        manager: z
          .enum(['auto', 'networkmanager', 'none'], {
            error:
              'one of "auto" (NetworkManager when it manages the interface), "networkmanager" or "none"',
          })
          .default('auto'),
        stateDir: z.string().min(1).default('/var/lib/zen-agent'),
      })
      .strict()
      .default({ manager: 'auto', stateDir: '/var/lib/zen-agent' }),
    /**
     * The router's management API (agent/README.md "The router's API"): OpenWrt's ubus over
     * HTTP(S) at <url>/ubus, logged in as a user whose rpcd ACL grants what the box needs.
     * The password is never in this file: passwordFile, or ZEN_ROUTER_PASSWORD.
     */
    router: z
      .object({
        kind: z.literal('openwrt'),
        url: httpUrl,
        username: z.string().min(1).max(64),
        passwordFile: z.string().min(1).optional(),
        /** PEM CA certificate(s) for an https url (OpenWrt's uhttpd makes its own). */
        caFile: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    timeouts: z
      .object({
        checkMs: z.number().int().positive().default(15_000),
        actionMs: z.number().int().positive().default(180_000),
      })
      .strict()
      .default({ checkMs: 15_000, actionMs: 180_000 }),
    /** The throughput and latency_under_load checks (agent/README.md "throughput"). */
    throughput: z
      .object({
        /**
         * Another server speaking the speed-test protocol (contracts/speedTest.ts), sent no
         * token; the cloud's own route, with the device token, when absent.
         */
        url: httpUrl.optional(),
        /** Each way at most this many MB or `maxSeconds`, whichever comes first. */
        maxMB: z.number().positive().max(50).default(25),
        maxSeconds: z.number().min(1).max(5).default(4),
        /** latency_under_load: how long it loads the line each way while it pings. */
        loadSeconds: z.number().min(1).max(3).default(2),
      })
      .strict()
      .default({ maxMB: 25, maxSeconds: 4, loadSeconds: 2 }),
    /** The continuous monitor (agent/README.md "The monitor"): light probes between cases. */
    monitor: MonitorConfig.default(MonitorConfig.parse({})),
    /** IPv6 addresses the `ipv6` check pings (Cloudflare's and Google's public resolvers). */
    ipv6Targets: z
      .array(z.string().regex(/^[0-9A-Fa-f:]{2,39}$/, 'an IPv6 address like 2606:4700:4700::1111'))
      .min(1)
      .max(4)
      .default(['2606:4700:4700::1111', '2001:4860:4860::8888']),
  })
  .strict();
export type AgentConfig = z.infer<typeof AgentConfig>;

/** Reads and validates a config file; the error names the file and every bad field. */
export function loadConfig(path: string): AgentConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(
      `Cannot read the config file ${path}: ${err instanceof Error ? err.message : err}`,
    );
  }
  const parsed = AgentConfig.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`Invalid config file ${path}:\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}
