import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Bonjour, type Service } from 'bonjour-service';
import { lanFixedKinds, lanServiceTypes } from '../../../contracts/diagnostics';
import type { AgentConfig } from '../../config';
import type { Measured } from '../checks';
import { run, sleep } from '../exec';
import { defaultGateway, ipv4Addresses } from '../iproute';

// The devices on the office LAN, and the ones that were there and are gone
// (the printer that worked yesterday). A bounded sweep of the box's subnet at
// the ARP level: the neighbour table is emptied, one small UDP datagram goes
// to every address (the kernel asks ARP for each), and after 2.5 s the table
// holds a MAC for every device that answered, firewalled or not. At the same
// time mDNS is browsed (bonjour-service, as the `mdns` check) for what each
// device announces; only well-known service types are kept, never a name.
// The box remembers what it saw in a small file in its state directory, so a
// device an earlier inventory saw that no longer answers shows as missing.

type Data = Measured<'lan_inventory'>['data'];
export type LanDevice = Data['devices'][number];
type Kind = LanDevice['kind'];
type ServiceType = LanDevice['services'][number];

const SWEEP_WAIT_MS = 2500;
const MDNS_MS = 2500;
const PORT_TIMEOUT_MS = 1000;
const MAX_DEVICES = 64;
/** Remembered devices: at most this many, forgotten after this long unseen. */
const MAX_REMEMBERED = 64;
const FORGET_AFTER_MS = 30 * 86_400_000;
const answeredStates = ['REACHABLE', 'STALE', 'DELAY', 'PROBE', 'PERMANENT'];

const kindOfService: Record<ServiceType, Kind> = {
  '_ipp._tcp': 'printer',
  '_ipps._tcp': 'printer',
  '_printer._tcp': 'printer',
  '_pdl-datastream._tcp': 'printer',
  '_smb._tcp': 'file-server',
  '_afpovertcp._tcp': 'file-server',
  '_nfs._tcp': 'file-server',
  '_rtsp._tcp': 'camera',
  '_sip._udp': 'phone',
  '_airplay._tcp': 'media',
  '_raop._tcp': 'media',
  '_googlecast._tcp': 'media',
};

/** What a device is: the gateway, else the first kind its services name. */
export function kindOf(services: readonly ServiceType[], isGateway: boolean): Kind {
  if (isGateway) return 'router';
  const order: Kind[] = ['printer', 'file-server', 'camera', 'phone', 'media'];
  const kinds = services.map((s) => kindOfService[s]);
  return order.find((k) => kinds.includes(k)) ?? 'unknown';
}

const toNumber = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const toAddress = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');

/** The addresses to probe: the box's subnet, cut to the /24 around its address when larger. */
export function sweepTargets(own: string, prefixLength: number) {
  const limited = prefixLength < 24;
  const length = Math.max(prefixLength, 24);
  const size = 2 ** (32 - length);
  const base = toNumber(own) - (toNumber(own) % size);
  const hosts: string[] = [];
  // Neither the network's nor the broadcast address (a /31 or /32 has no hosts to sweep).
  for (let n = base + 1; n < base + size - 1; n++)
    if (n !== toNumber(own)) hosts.push(toAddress(n));
  return { subnet: `${toAddress(base)}/${length}`, limited, hosts };
}

/** `ip -j neigh show dev <if>`: the addresses that answered, with their MACs. */
export function answeringNeighbours(
  entries: { dst: string; lladdr?: string; state?: string[] }[],
  hosts: ReadonlySet<string>,
): Map<string, string> {
  const found = new Map<string, string>();
  for (const e of entries) {
    if (!hosts.has(e.dst) || !e.lladdr) continue;
    if ((e.state ?? []).some((s) => answeredStates.includes(s))) {
      found.set(e.dst, e.lladdr.toLowerCase());
    }
  }
  return found;
}

/** What the box keeps about a device it saw (in `<stateDir>/lan-devices.json`). */
export interface Remembered {
  mac: string;
  address: string;
  kind: Kind;
  services: ServiceType[];
  port?: number;
  lastSeen: string;
}

export interface Seen {
  address: string;
  mac: string;
  services: ServiceType[];
  port?: number;
}

/**
 * This sweep's devices beside the remembered ones: every device answering now, then every
 * remembered one that did not (by MAC: a device on a new address is not missing). Returns
 * the check's devices (missing fixed equipment first) and the file's new content.
 */
export function mergeInventory(
  seen: Seen[],
  remembered: Remembered[],
  gateway: string | undefined,
  now: Date,
): { devices: LanDevice[]; remember: Remembered[] } {
  const before = new Map(remembered.map((d) => [d.mac, d]));
  const seenMacs = new Set(seen.map((d) => d.mac));
  const rank = (d: { kind: Kind }) => (lanFixedKinds.includes(d.kind) ? 0 : 1);
  const current = seen
    .map((d): LanDevice & { mac: string; port?: number } => {
      const known = before.get(d.mac);
      // A device does not announce itself every time: what it announced before still says what it is.
      const services = d.services.length > 0 ? d.services : (known?.services ?? []);
      const port = d.port ?? known?.port;
      return {
        address: d.address,
        mac: d.mac,
        oui: d.mac.slice(0, 8),
        answers: true,
        kind: kindOf(services, d.address === gateway),
        services,
        seenBefore: known !== undefined,
        ...(port ? { port } : {}),
      };
    })
    .sort((a, b) => rank(a) - rank(b));
  const gone = remembered
    .filter((d) => !seenMacs.has(d.mac) && now.getTime() - Date.parse(d.lastSeen) < FORGET_AFTER_MS)
    .sort((a, b) => rank(a) - rank(b));
  const missing = gone.map((d): LanDevice => ({
    address: d.address,
    mac: d.mac,
    oui: d.mac.slice(0, 8),
    answers: false,
    kind: d.kind,
    services: d.services,
    ...(d.port ? { servicePort: { port: d.port, open: false } } : {}),
    seenBefore: true,
    lastSeen: d.lastSeen,
  }));
  const stamp = now.toISOString();
  // One entry per MAC (a device with two addresses is one device), fixed equipment first.
  const macs = new Set<string>();
  const remember = [
    ...current
      .filter((d) => !macs.has(d.mac) && macs.add(d.mac))
      .map(({ mac, address, kind, services, port }) => ({
        mac,
        address,
        kind,
        services,
        ...(port ? { port } : {}),
        lastSeen: stamp,
      })),
    ...gone,
  ].slice(0, MAX_REMEMBERED);
  const devices = [...missing, ...current.map(({ port: _port, ...d }) => d)];
  return { devices: devices.slice(0, MAX_DEVICES), remember };
}

function readRemembered(file: string): Remembered[] {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { devices?: Remembered[] };
    return Array.isArray(parsed.devices) ? parsed.devices.slice(0, MAX_REMEMBERED) : [];
  } catch {
    return [];
  }
}

function writeRemembered(file: string, devices: Remembered[]) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify({ devices }, null, 1), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/** One datagram to the discard port of every host: the kernel resolves each over ARP. */
async function poke(hosts: string[]): Promise<void> {
  const socket = dgram.createSocket('udp4');
  socket.on('error', () => undefined);
  const payload = Buffer.from([0]);
  await Promise.all(
    // A host whose ARP already failed refuses the send: that is an answer too.
    hosts.map(
      (host) => new Promise<void>((resolve) => socket.send(payload, 9, host, () => resolve())),
    ),
  );
  socket.close();
}

interface Announced {
  types: Set<ServiceType>;
  port?: number;
}

/** The well-known service types each IPv4 address announces over mDNS within `ms`. */
function browse(interfaceAddress: string, ms: number): Promise<Map<string, Announced>> {
  const known = new Set<string>(lanServiceTypes);
  return new Promise((resolve) => {
    const found = new Map<string, Announced>();
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      browser.stop();
      bonjour.destroy();
      resolve(found);
    };
    // Bound to every address (multicast answers arrive at the group address), on this interface only.
    const bonjour = new Bonjour({ interface: interfaceAddress, bind: '0.0.0.0' } as object, finish);
    const socket = (bonjour as unknown as { server?: { mdns?: unknown } }).server?.mdns;
    if (socket instanceof EventEmitter) socket.on('error', finish);
    const browser = bonjour.find(null, (service: Service) => {
      const type = `_${service.type}._${service.protocol === 'udp' ? 'udp' : 'tcp'}`;
      const address =
        service.addresses?.find((a) => net.isIPv4(a)) ?? service.referer?.address ?? '';
      if (!known.has(type) || !net.isIPv4(address)) return;
      const entry = found.get(address) ?? { types: new Set<ServiceType>() };
      entry.types.add(type as ServiceType);
      if (entry.port === undefined && service.protocol !== 'udp') entry.port = service.port;
      found.set(address, entry);
    });
    const timer = setTimeout(finish, ms);
  });
}

function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: PORT_TIMEOUT_MS });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/** Missing fixed equipment (a printer, the router, a NAS, a camera, a desk phone) fails the check. */
export function inventoryOk(devices: LanDevice[]): boolean {
  return !devices.some((d) => !d.answers && lanFixedKinds.includes(d.kind));
}

export async function lanInventory(config: AgentConfig): Promise<Measured<'lan_inventory'>> {
  const iface = config.interface;
  const own = (await ipv4Addresses(iface)).find((a) => !a.linkLocal);
  const empty = { interface: iface, limited: false, swept: 0, answering: 0, devices: [] };
  // Without an address of its own the box has no subnet to sweep.
  if (!own) return { ok: false, data: empty };
  const { subnet, limited, hosts } = sweepTargets(own.address, own.prefixLength);
  const gateway = await defaultGateway(iface);
  // Answers from before the fault would hide a device that is gone: ask afresh.
  await run('ip', ['neigh', 'flush', 'dev', iface]);
  const announcedP = browse(own.address, MDNS_MS);
  await poke(hosts);
  await sleep(SWEEP_WAIT_MS);
  const neighbours = JSON.parse(
    (await run('ip', ['-j', 'neigh', 'show', 'dev', iface])).stdout || '[]',
  );
  const answering = answeringNeighbours(neighbours, new Set(hosts));
  const announced = await announcedP;
  const seen: Seen[] = [...answering].map(([address, mac]) => {
    const a = announced.get(address);
    return {
      address,
      mac,
      services: [...(a?.types ?? [])].slice(0, 6),
      ...(a?.port ? { port: a.port } : {}),
    };
  });
  const file = path.join(config.network.stateDir, 'lan-devices.json');
  const { devices, remember } = mergeInventory(seen, readRemembered(file), gateway, new Date());
  writeRemembered(file, remember);
  // Does the device's own service answer (a printer's print port)? One connect each, at once.
  const portOf = new Map(remember.map((r) => [r.mac, r.port]));
  await Promise.all(
    devices.map(async (d) => {
      const port = d.mac ? portOf.get(d.mac) : undefined;
      if (d.answers && port) d.servicePort = { port, open: await portOpen(d.address, port) };
    }),
  );
  const data = {
    interface: iface,
    subnet,
    limited,
    swept: hosts.length,
    answering: answering.size,
    devices,
  };
  return { ok: inventoryOk(devices), data };
}
