import { parsePing } from './ping';

describe('ping summary', () => {
  it('reads loss, average and jitter (mdev) from iputils ping', () => {
    const output = `PING 198.51.100.20 (198.51.100.20) 56(84) bytes of data.

--- 198.51.100.20 ping statistics ---
10 packets transmitted, 7 received, 30% packet loss, time 1836ms
rtt min/avg/max/mdev = 0.061/18.114/85.160/27.412 ms
`;
    expect(parsePing(output)).toEqual({
      sent: 10,
      received: 7,
      lossPct: 30,
      avgMs: 18.114,
      jitterMs: 27.412,
    });
  });

  it('reports total loss without timings, and counts errors as lost', () => {
    const output = `--- 192.168.1.1 ping statistics ---
5 packets transmitted, 0 received, +5 errors, 100% packet loss, time 4093ms
`;
    expect(parsePing(output)).toEqual({ sent: 5, received: 0, lossPct: 100 });
  });

  it('refuses output without a summary', () => {
    expect(() => parsePing('ping: connect: Network is unreachable')).toThrow(/no summary/);
  });
});
