import { dfPingArgs, parseDfPing, pathMtuData, probedMtus } from './pathMtu';

describe("a don't-fragment ping", () => {
  it('passes when an answer came', () => {
    const out = `PING 198.51.100.20 (198.51.100.20) 1372(1400) bytes of data.

--- 198.51.100.20 ping statistics ---
2 packets transmitted, 2 received, 0% packet loss, time 201ms
rtt min/avg/max/mdev = 0.06/0.07/0.08/0.01 ms
`;
    expect(parseDfPing(1400, out)).toEqual({ mtu: 1400, passed: true, reportedMtu: undefined });
  });

  it('fails silently in a black hole, and names the MTU a router or the kernel reported', () => {
    const hole = '2 packets transmitted, 0 received, 100% packet loss, time 1010ms\n';
    expect(parseDfPing(1500, hole)).toEqual({ mtu: 1500, passed: false, reportedMtu: undefined });
    const fragNeeded = `From 203.0.113.2 icmp_seq=1 Frag needed and DF set (mtu = 1380)
2 packets transmitted, 0 received, +1 errors, 100% packet loss, time 202ms
`;
    expect(parseDfPing(1500, fragNeeded)).toMatchObject({ passed: false, reportedMtu: 1380 });
    const local =
      'ping: local error: message too long, mtu=1380\n2 packets transmitted, 0 received, +2 errors, 100% packet loss\n';
    expect(parseDfPing(1500, local)).toMatchObject({ passed: false, reportedMtu: 1380 });
  });
});

describe('the probe', () => {
  it('sends IP packets of exactly the MTU, never fragmented', () => {
    const args = dfPingArgs('198.51.100.20', 1500);
    expect(args.slice(args.indexOf('-M'), args.indexOf('-M') + 4)).toEqual([
      '-M',
      'do',
      '-s',
      '1472',
    ]);
    expect(args.at(-1)).toBe('198.51.100.20');
  });
});

describe('the path_mtu verdict', () => {
  const upTo = (limit: number) => probedMtus.map((mtu) => ({ mtu, passed: mtu <= limit }));

  it('passes a full Ethernet or PPPoE path', () => {
    expect(pathMtuData('198.51.100.20', upTo(1500))).toMatchObject({
      ok: true,
      data: { largestPassing: 1500 },
    });
    expect(pathMtuData('198.51.100.20', upTo(1492))).toMatchObject({
      ok: true,
      data: { largestPassing: 1492 },
    });
  });

  it('fails below 1400, and when nothing answers at all', () => {
    expect(pathMtuData('198.51.100.20', upTo(1400)).ok).toBe(true);
    expect(pathMtuData('198.51.100.20', upTo(1399))).toMatchObject({
      ok: false,
      data: { largestPassing: 1380 },
    });
    const none = pathMtuData('198.51.100.20', upTo(0));
    expect(none.ok).toBe(false);
    expect(none.data.largestPassing).toBeUndefined();
  });
});
