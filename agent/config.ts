import { readFileSync } from 'node:fs';
import { z } from 'zod';

// The agent's config file (JSON). Every field is documented in agent/README.md
// ("Configuration"); a bad file stops the agent with the field it got wrong.

const ipv4 = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/, 'an IPv4 address like 192.168.1.1');
const ifaceName = z.string().regex(/^[A-Za-z0-9_.-]{1,15}$/, 'a Linux interface name');
const httpUrl = z.url({ protocol: /^https?$/ });

export const AgentConfig = z
  .object({
    apiUrl: httpUrl.default('http://127.0.0.1:4000'),
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
    smartPlugs: z
      .object({ modem: httpUrl.optional(), router: httpUrl.optional() })
      .strict()
      .default({}),
    lte: z.object({ interface: ifaceName, gateway: ipv4.optional() }).strict().optional(),
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
    timeouts: z
      .object({
        checkMs: z.number().int().positive().default(15_000),
        actionMs: z.number().int().positive().default(180_000),
      })
      .strict()
      .default({ checkMs: 15_000, actionMs: 180_000 }),
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
