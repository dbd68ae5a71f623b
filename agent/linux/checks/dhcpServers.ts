import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import type { AgentConfig } from '../../config';
import type { Measured } from '../checks';
import { ping } from '../ping';
import { buildDiscover, parseOffer, type DhcpOffer } from './dhcpPacket';
import { askResolver } from './resolve';

// Every DHCP server on the LAN, not just the first (busybox udhcpc takes the
// first offer and stops listening): one DISCOVER, sent twice against loss,
// then every OFFER within the window. Nothing is requested, so no server
// leases anything. What each server hands out is then tried from the box: a
// rogue consumer router usually hands out itself, or a gateway that leads
// nowhere.

type Data = Measured<'dhcp_servers'>['data'];
export type DhcpServer = Data['servers'][number];

const LISTEN_MS = 3000;
const RESEND_AFTER_MS = 1000;
const MAX_SERVERS = 8;

/** Collects the offers answering one transaction id on UDP 68 (needs CAP_NET_BIND_SERVICE). */
export function hearOffers(mac: string, listenMs: number): Promise<Map<string, DhcpOffer>> {
  const xid = randomInt(2 ** 32);
  const discover = buildDiscover(mac, xid);
  const offers = new Map<string, DhcpOffer>();
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  let done = false;
  return new Promise((resolve, reject) => {
    const timers: NodeJS.Timeout[] = [];
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      timers.forEach(clearTimeout);
      socket.close();
      if (err) reject(err);
      else resolve(offers);
    };
    const send = () =>
      socket.send(discover, 67, '255.255.255.255', (err) => {
        if (err) finish(new Error(`could not broadcast a DHCP discover: ${err.message}`));
      });
    socket.on('error', (err) => finish(new Error(`DHCP port 68: ${err.message}`)));
    socket.on('message', (packet, from) => {
      const offer = parseOffer(packet);
      if (!offer || offer.xid !== xid) return;
      const server = offer.serverId ?? from.address;
      if (offers.size < MAX_SERVERS || offers.has(server)) offers.set(server, offer);
    });
    socket.bind(68, '0.0.0.0', () => {
      socket.setBroadcast(true);
      send();
      timers.push(setTimeout(send, RESEND_AFTER_MS), setTimeout(finish, listenMs));
    });
  });
}

/** Tries what one server offers: its gateway answers ping, its resolvers answer the test name. */
async function tryOffer(
  server: string,
  offer: DhcpOffer,
  config: AgentConfig,
): Promise<DhcpServer> {
  const [router] = offer.gateways;
  const dnsServers = offer.dnsServers.slice(0, 3);
  const [gatewayPing, ...answers] = await Promise.all([
    router ? ping(router, { count: 3, iface: config.interface }) : undefined,
    // One try, 2 s: a rogue server's resolver is often simply not there.
    ...dnsServers.map((address) =>
      askResolver(address, config.dnsTestName, { timeoutMs: 2000, tries: 1 }),
    ),
  ]);
  return {
    serverId: server,
    offeredAddress: offer.offeredAddress,
    leaseSeconds: offer.leaseSeconds,
    gateway: router ? { address: router, answers: gatewayPing!.received > 0 } : undefined,
    dnsServers: dnsServers.map((address, i) => ({
      address,
      answers: answers[i]!.outcome === 'answered',
    })),
  };
}

/** One server, and a gateway and resolvers that work. */
export function dhcpServersOk(servers: DhcpServer[]): boolean {
  if (servers.length !== 1) return false;
  const [only] = servers;
  return (
    only!.gateway?.answers === true &&
    only!.dnsServers.length > 0 &&
    only!.dnsServers.every((dns) => dns.answers)
  );
}

export async function dhcpServers(config: AgentConfig): Promise<Measured<'dhcp_servers'>> {
  const mac = readFileSync(`/sys/class/net/${config.interface}/address`, 'utf8').trim();
  const started = performance.now();
  const offers = await hearOffers(mac, LISTEN_MS);
  const listenedMs = Math.round(performance.now() - started);
  const servers = await Promise.all(
    [...offers].map(([server, offer]) => tryOffer(server, offer, config)),
  );
  const data = { interface: config.interface, listenedMs, servers };
  return { ok: dhcpServersOk(servers), data };
}
