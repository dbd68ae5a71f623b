import { buildDiscover, parseOffer } from './dhcpPacket';
import { dhcpServersOk, type DhcpServer } from './dhcpServers';

/** An offer as a DHCP server sends it, options given as [code, bytes]. */
function offer(xid: number, yiaddr: number[], options: [number, number[]][]): Buffer {
  const head = Buffer.alloc(240);
  head[0] = 2;
  head.writeUInt32BE(xid, 4);
  Buffer.from(yiaddr).copy(head, 16);
  head.writeUInt32BE(0x63825363, 236);
  const body = options.flatMap(([code, bytes]) => [code, bytes.length, ...bytes]);
  return Buffer.concat([head, Buffer.from([...body, 255])]);
}

const standardOptions: [number, number[]][] = [
  [53, [2]],
  [54, [192, 168, 1, 1]],
  [3, [192, 168, 1, 1]],
  [6, [192, 168, 1, 1, 203, 0, 113, 53]],
  [51, [0, 0, 14, 16]],
];

describe('the DHCP discover', () => {
  it('is a broadcast BOOTREQUEST from the MAC with the transaction id', () => {
    const packet = buildDiscover('02:00:5e:10:00:01', 0xdeadbeef);
    expect(packet.length).toBe(300);
    expect(packet[0]).toBe(1);
    expect(packet.readUInt32BE(4)).toBe(0xdeadbeef);
    expect(packet.readUInt16BE(10)).toBe(0x8000);
    expect([...packet.subarray(28, 34)]).toEqual([0x02, 0x00, 0x5e, 0x10, 0x00, 0x01]);
    expect(packet.readUInt32BE(236)).toBe(0x63825363);
    expect([...packet.subarray(240, 243)]).toEqual([53, 1, 1]);
  });
});

describe('an offer', () => {
  it('gives the server, address, gateway, resolvers and lease', () => {
    expect(parseOffer(offer(7, [192, 168, 1, 120], standardOptions))).toEqual({
      xid: 7,
      offeredAddress: '192.168.1.120',
      serverId: '192.168.1.1',
      gateways: ['192.168.1.1'],
      dnsServers: ['192.168.1.1', '203.0.113.53'],
      leaseSeconds: 3600,
    });
  });

  it('skips pad options and reads a server that leaves options out', () => {
    const parsed = parseOffer(offer(7, [0, 0, 0, 0], [[53, [2]]]));
    expect(parsed).toEqual({ xid: 7, gateways: [], dnsServers: [] });
    const padded = offer(7, [192, 168, 1, 9], standardOptions);
    const withPad = Buffer.concat([
      padded.subarray(0, 240),
      Buffer.from([0, 0]),
      padded.subarray(240),
    ]);
    expect(parseOffer(withPad)?.serverId).toBe('192.168.1.1');
  });

  it('refuses what is not a well-formed offer', () => {
    const ack: [number, number[]][] = [[53, [5]]];
    expect(parseOffer(offer(7, [0, 0, 0, 0], ack))).toBeUndefined();
    const request = offer(7, [0, 0, 0, 0], standardOptions);
    request[0] = 1;
    expect(parseOffer(request)).toBeUndefined();
    const noCookie = offer(7, [0, 0, 0, 0], standardOptions);
    noCookie.writeUInt32BE(0, 236);
    expect(parseOffer(noCookie)).toBeUndefined();
    // An option that claims more bytes than the packet has.
    const truncated = Buffer.concat([
      offer(7, [0, 0, 0, 0], [[53, [2]]]).subarray(0, 243),
      Buffer.from([6, 40, 1]),
    ]);
    expect(parseOffer(truncated)).toBeUndefined();
    expect(parseOffer(Buffer.alloc(100))).toBeUndefined();
  });
});

describe('the dhcp_servers verdict', () => {
  const router: DhcpServer = {
    serverId: '192.168.1.1',
    offeredAddress: '192.168.1.120',
    gateway: { address: '192.168.1.1', answers: true },
    dnsServers: [{ address: '192.168.1.1', answers: true }],
  };
  const rogue: DhcpServer = {
    serverId: '192.168.1.66',
    gateway: { address: '192.168.1.66', answers: true },
    dnsServers: [{ address: '192.168.1.66', answers: true }],
  };

  it('passes one server whose gateway and resolvers work', () => {
    expect(dhcpServersOk([router])).toBe(true);
  });

  it('fails a second server even when everything it hands out works', () => {
    expect(dhcpServersOk([router, rogue])).toBe(false);
  });

  it('fails no server, a dead gateway, a missing gateway or a dead resolver', () => {
    expect(dhcpServersOk([])).toBe(false);
    expect(
      dhcpServersOk([{ ...router, gateway: { address: '192.168.1.1', answers: false } }]),
    ).toBe(false);
    expect(dhcpServersOk([{ ...router, gateway: undefined }])).toBe(false);
    expect(
      dhcpServersOk([
        {
          ...router,
          dnsServers: [...router.dnsServers, { address: '192.168.1.2', answers: false }],
        },
      ]),
    ).toBe(false);
    expect(dhcpServersOk([{ ...router, dnsServers: [] }])).toBe(false);
  });
});
