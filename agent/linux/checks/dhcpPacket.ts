// DHCPDISCOVER out and DHCPOFFER in (RFC 2131/2132), just the fields the
// dhcp_servers check reports. Offers come from anything on the LAN: every
// length is checked before it is read.

const MAGIC_COOKIE = 0x63825363;
const OPTIONS_AT = 240;
const BOOTREQUEST = 1;
const BOOTREPLY = 2;
const DHCPDISCOVER = 1;
const DHCPOFFER = 2;
const option = { mask: 1, router: 3, dns: 6, lease: 51, messageType: 53, serverId: 54, params: 55 };

export interface DhcpOffer {
  xid: number;
  offeredAddress?: string;
  serverId?: string;
  gateways: string[];
  dnsServers: string[];
  leaseSeconds?: number;
}

function addressAt(buf: Buffer, at: number): string {
  return `${buf[at]}.${buf[at + 1]}.${buf[at + 2]}.${buf[at + 3]}`;
}

function addresses(value: Buffer, max: number): string[] {
  const out: string[] = [];
  for (let at = 0; at + 4 <= value.length && out.length < max; at += 4) {
    out.push(addressAt(value, at));
  }
  return out;
}

/** A broadcast DISCOVER from `mac` (aa:bb:…), asking for the router, DNS and lease options. */
export function buildDiscover(mac: string, xid: number): Buffer {
  const packet = Buffer.alloc(300); // BOOTP's minimum size; zeros are the fields left empty
  packet[0] = BOOTREQUEST;
  packet[1] = 1; // Ethernet
  packet[2] = 6;
  packet.writeUInt32BE(xid >>> 0, 4);
  packet.writeUInt16BE(0x8000, 10); // broadcast flag: answer to 255.255.255.255
  Buffer.from(mac.split(':').map((h) => parseInt(h, 16))).copy(packet, 28);
  packet.writeUInt32BE(MAGIC_COOKIE, 236);
  const options = [
    [option.messageType, 1, DHCPDISCOVER],
    [option.params, 4, option.mask, option.router, option.dns, option.lease],
    [255],
  ].flat();
  Buffer.from(options).copy(packet, OPTIONS_AT);
  return packet;
}

/** The offer in `packet`, or undefined when it is not a well-formed DHCPOFFER. */
export function parseOffer(packet: Buffer): DhcpOffer | undefined {
  if (packet.length < OPTIONS_AT + 4 || packet[0] !== BOOTREPLY) return undefined;
  if (packet.readUInt32BE(236) !== MAGIC_COOKIE) return undefined;
  const values = new Map<number, Buffer>();
  for (let at = OPTIONS_AT; at < packet.length;) {
    const code = packet[at]!;
    if (code === 255) break;
    if (code === 0) {
      at += 1;
      continue;
    }
    const length = packet[at + 1];
    if (length === undefined || at + 2 + length > packet.length) return undefined;
    values.set(code, packet.subarray(at + 2, at + 2 + length));
    at += 2 + length;
  }
  if (values.get(option.messageType)?.[0] !== DHCPOFFER) return undefined;
  const yiaddr = addressAt(packet, 16);
  const serverId = values.get(option.serverId);
  const lease = values.get(option.lease);
  return {
    xid: packet.readUInt32BE(4),
    offeredAddress: yiaddr === '0.0.0.0' ? undefined : yiaddr,
    serverId: serverId?.length === 4 ? addressAt(serverId, 0) : undefined,
    gateways: addresses(values.get(option.router) ?? Buffer.alloc(0), 4),
    dnsServers: addresses(values.get(option.dns) ?? Buffer.alloc(0), 8),
    leaseSeconds: lease?.length === 4 ? lease.readUInt32BE(0) : undefined,
  };
}
