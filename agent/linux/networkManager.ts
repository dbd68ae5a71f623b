import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { AgentConfig } from '../config';
import { run, runOrThrow } from './exec';
import { ipv4Addresses } from './iproute';
import { nameservers } from './resolvConf';

// The fixes that touch addressing and DNS, carried out through NetworkManager
// when it owns the interface (Raspberry Pi OS Bookworm's default): NM would
// undo anything done beside it, and it owns /etc/resolv.conf. Every change goes
// through nmcli over D-Bus, which polkit authorizes for the zen-agent user
// (deploy/zen-agent.rules allows exactly `polkitActions`).

/** The NetworkManager polkit actions the agent's nmcli commands need, and nothing else. */
export const polkitActions = [
  // device connect / disconnect / reapply
  'org.freedesktop.NetworkManager.network-control',
  // connection modify of the interface's system profile (its DNS settings)
  'org.freedesktop.NetworkManager.settings.modify.system',
  // general reload dns-full (restarts NM's DNS plugin, emptying its cache)
  'org.freedesktop.NetworkManager.reload',
] as const;

/** How long nmcli waits for an activation (DHCP included) before it gives up. */
const ACTIVATION_WAIT_S = 45;

export interface NmDevice {
  device: string;
  state: string;
  connection?: { name: string; uuid: string };
}

/** Splits one line of nmcli's terse output (`-t`): fields end at unescaped colons. */
export function terseFields(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) field += line[++i];
    else if (c === ':') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  return [...fields, field];
}

/** The devices in `nmcli -t -f DEVICE,STATE,CONNECTION,CON-UUID device status`. */
export function parseDeviceStatus(out: string): NmDevice[] {
  return out
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      const [device = '', state = '', name = '', uuid = ''] = terseFields(line);
      return { device, state, connection: uuid ? { name, uuid } : undefined };
    });
}

/**
 * NM owns the interface's addressing unless it leaves it alone ("unmanaged") or
 * only mirrors what another tool set ("connected (externally)").
 */
export function managedByNm(device: NmDevice | undefined): boolean {
  return device !== undefined && device.state !== 'unmanaged' && !/externally/.test(device.state);
}

// Untranslated output; D-Bus address and everything else from the agent's environment.
const nmcliEnv = () => ({ ...process.env, LC_ALL: 'C' });
const nmcli = (args: string[], timeoutMs = 15_000) =>
  runOrThrow('nmcli', args, { timeoutMs, env: nmcliEnv() });

/** What NM says about the interface; why not, when NM cannot be asked. */
export async function nmDevice(
  iface: string,
): Promise<{ device?: NmDevice; unavailable?: string }> {
  const out = await run(
    'nmcli',
    ['-t', '-f', 'DEVICE,STATE,CONNECTION,CON-UUID', 'device', 'status'],
    {
      env: nmcliEnv(),
    },
  ).catch((err: Error) => err);
  if (out instanceof Error) return { unavailable: `nmcli cannot run (${out.message})` };
  if (out.code !== 0)
    return { unavailable: `NetworkManager does not answer (${out.stderr.trim().slice(0, 200)})` };
  return { device: parseDeviceStatus(out.stdout).find((d) => d.device === iface) };
}

export type NetworkRoute = { via: 'direct' } | { via: 'networkmanager'; device: NmDevice };

/**
 * Which way the fixes go: `network.manager` "none" never asks NM, "auto" uses
 * NM only when it manages the interface, "networkmanager" insists on it.
 */
export async function networkRoute(config: AgentConfig): Promise<NetworkRoute> {
  const { manager } = config.network;
  if (manager === 'none') return { via: 'direct' };
  const { device, unavailable } = await nmDevice(config.interface);
  if (managedByNm(device)) return { via: 'networkmanager', device: device! };
  if (manager === 'auto') return { via: 'direct' };
  throw new Error(
    `network.manager is "networkmanager" but ${
      unavailable ??
      `NetworkManager does not manage ${config.interface} (${device?.state ?? 'no such device'})`
    }.`,
  );
}

async function addressOf(iface: string): Promise<string | undefined> {
  return (await ipv4Addresses(iface)).find((a) => !a.linkLocal)?.address;
}

async function dhcpServer(iface: string): Promise<string | undefined> {
  const options = await nmcli(['-g', 'DHCP4.OPTION', 'device', 'show', iface]);
  return /dhcp_server_identifier = (\d+\.\d+\.\d+\.\d+)/.exec(options)?.[1];
}

/**
 * A new lease through NM's own DHCP client: `device connect` activates the
 * interface's profile again (or the best one, after NM gave up on it).
 */
export async function renewLeaseNm(iface: string): Promise<string> {
  await nmcli(
    ['--wait', String(ACTIVATION_WAIT_S), 'device', 'connect', iface],
    (ACTIVATION_WAIT_S + 5) * 1000,
  );
  const address = await addressOf(iface);
  if (!address) throw new Error(`NetworkManager activated ${iface} but it has no address.`);
  const server = await dhcpServer(iface);
  return `NetworkManager got a lease for ${address} on ${iface} from ${server ?? 'the DHCP server'}.`;
}

export async function restartInterfaceNm(iface: string): Promise<string> {
  await nmcli(['--wait', '15', 'device', 'disconnect', iface], 20_000);
  // Disconnecting blocks autoconnect; connecting lifts the block again.
  const lease = await renewLeaseNm(iface);
  return `Restarted ${iface} through NetworkManager. ${lease}`;
}

/** The profile's own DNS settings before the agent changed them: what an undo restores. */
const PreviousDns = z
  .object({
    connection: z.object({ name: z.string(), uuid: z.string().min(1) }).strict(),
    dns: z.array(z.string()),
    ignoreAutoDns: z.boolean(),
  })
  .strict();
type PreviousDns = z.infer<typeof PreviousDns>;

const previousFile = (config: AgentConfig) =>
  path.join(config.network.stateDir, 'nm-previous-dns.json');

function readPrevious(config: AgentConfig): PreviousDns | undefined {
  const file = previousFile(config);
  if (!existsSync(file)) return undefined;
  const parsed = PreviousDns.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new Error(`${file} is not what the agent wrote: ${parsed.error.message}`);
  return parsed.data;
}

async function profileDns(uuid: string): Promise<{ dns: string[]; ignoreAutoDns: boolean }> {
  const [dns = '', ignore = ''] = (
    await nmcli(['-g', 'ipv4.dns,ipv4.ignore-auto-dns', 'connection', 'show', 'uuid', uuid])
  ).split('\n');
  return { dns: dns.split(',').filter(Boolean), ignoreAutoDns: ignore.trim() === 'yes' };
}

/** The resolvers NM applies on the interface now (from DHCP or the profile). */
export async function activeResolvers(iface: string): Promise<string[]> {
  const out = await nmcli(['-g', 'IP4.DNS', 'device', 'show', iface]);
  return out
    .split(/[|\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Applies the profile's changes live, without taking the interface down or losing the lease. */
const reapply = (iface: string) => nmcli(['device', 'reapply', iface]);

/** How long NM may take to put reapplied DNS settings in place (it restarts its DHCP transaction). */
const DNS_SETTLE_MS = 15_000;

/**
 * Reapplies the profile and waits until the interface's live resolvers satisfy `done`, and the
 * Pi's resolv.conf (what its programs and the checks read) lists them too: a reapply restarts
 * NM's DHCP transaction, and the resolvers and the file follow only once it is over. NM was seen
 * to take a new lease at once after a reapply and keep no resolver from it (or the old list)
 * for good; a change not in place halfway through is applied by activating the profile again,
 * as a lease renewal does. Returns the live list, settled or not.
 */
async function applyDns(
  config: AgentConfig,
  iface: string,
  done: (resolvers: string[]) => boolean,
): Promise<string[]> {
  const started = Date.now();
  let activated = false;
  await reapply(iface);
  for (;;) {
    const now = await activeResolvers(iface);
    if (done(now) && fileLists(config, now)) return now;
    const waited = Date.now() - started;
    if (waited > DNS_SETTLE_MS) return now;
    if (!activated && waited > DNS_SETTLE_MS / 2) {
      activated = true;
      await renewLeaseNm(iface);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Behind a local stub (systemd-resolved, NM's dnsmasq) the file names the stub, not these. */
function fileLists(config: AgentConfig, resolvers: string[]): boolean {
  const listed = nameservers(config.resolvConfPath);
  if (listed.some((server) => server.startsWith('127.'))) return true;
  return listed.join() === resolvers.join();
}

/** What an unsettled change left: the interface's live list and the file's. */
function unsettled(config: AgentConfig, iface: string, now: string[]): string {
  const listed = nameservers(config.resolvConfPath).join(', ') || 'none';
  return `${iface} still uses ${now.join(', ') || 'no resolver'} (${config.resolvConfPath} lists ${listed}) after ${DNS_SETTLE_MS / 1000} s`;
}

/**
 * The interface's profile uses only `resolver` (ignoring the DHCP server's), kept
 * by NM across renewals and reboots. The profile's own settings are saved once,
 * so a second switch does not lose the customer's setting.
 */
export async function useResolverNm(
  config: AgentConfig,
  device: NmDevice,
  resolver: string,
): Promise<string> {
  const { connection } = device;
  if (!connection)
    throw new Error(
      `${device.device} has no active NetworkManager profile; renew its lease first.`,
    );
  const before = await activeResolvers(device.device);
  if (readPrevious(config)?.connection.uuid !== connection.uuid) {
    const saved: PreviousDns = { connection, ...(await profileDns(connection.uuid)) };
    writeFileSync(previousFile(config), JSON.stringify(saved), { mode: 0o600 });
  }
  await nmcli([
    ...['connection', 'modify', 'uuid', connection.uuid],
    ...['ipv4.dns', resolver, 'ipv4.ignore-auto-dns', 'yes'],
  ]);
  const only = (r: string[]) => r.length === 1 && r[0] === resolver;
  const now = await applyDns(config, device.device, only);
  if (!only(now)) {
    throw new Error(
      `NetworkManager took the setting, but ${unsettled(config, device.device, now)}.`,
    );
  }
  return `Switched the DNS resolver of "${connection.name}" to ${resolver} through NetworkManager; the previous setting (${before.join(', ') || 'none'}) is kept to restore.`;
}

/** Puts the profile's saved DNS settings back and applies them. */
export async function restoreResolversNm(config: AgentConfig, iface: string): Promise<string> {
  const previous = readPrevious(config);
  if (!previous) return 'Nothing to restore: the agent has not changed the DNS resolvers.';
  const { connection } = previous;
  // What the switch set, to see it gone: the live list read just before the reapply may be
  // empty for a moment (a lease being renewed), and any list then looks like a change.
  const ours = (await profileDns(connection.uuid)).dns;
  await nmcli([
    ...['connection', 'modify', 'uuid', connection.uuid],
    ...[
      'ipv4.dns',
      previous.dns.join(','),
      'ipv4.ignore-auto-dns',
      previous.ignoreAutoDns ? 'yes' : 'no',
    ],
  ]);
  // Live only if the profile is the one in use; otherwise it applies at its next activation.
  const { device } = await nmDevice(iface);
  rmSync(previousFile(config));
  if (device?.connection?.uuid !== connection.uuid) {
    return `Restored the DNS settings of "${connection.name}": they apply when it is next in use.`;
  }
  // The profile's own list comes back as it was; the DHCP server's resolvers come back with
  // NM's new lease, unknown here: then wait for the switch's to be gone.
  const restored = previous.ignoreAutoDns
    ? (r: string[]) => r.join() === previous.dns.join()
    : (r: string[]) => r.length > 0 && r.join() !== ours.join();
  const now = await applyDns(config, iface, restored);
  if (!restored(now)) {
    throw new Error(
      `NetworkManager took the old settings back, but ${unsettled(config, iface, now)}.`,
    );
  }
  return `Restored the DNS settings of "${connection.name}": resolvers ${now.join(', ')}.`;
}

/** NM's DNS plugin restarted: a local cache (dnsmasq mode) is emptied, resolv.conf rewritten. */
export async function flushDnsNm(): Promise<string> {
  await nmcli(['general', 'reload', 'dns-full']);
  return 'NetworkManager restarted its DNS handling: its cache, if it keeps one, is empty.';
}
