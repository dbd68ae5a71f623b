import { checkThresholds } from '../../../contracts/diagnostics';
import { latencyOk, median, parsePingRtts, rise } from './latencyUnderLoad';

// Per-reply round trips from iputils ping, and how idle and loaded ones are judged.

// iputils ping during a bloated upload in the lab: replies queue behind a second of data.
const loadedPing = `PING 198.51.100.20 (198.51.100.20) 56(84) bytes of data.
64 bytes from 198.51.100.20: icmp_seq=1 ttl=62 time=412 ms
64 bytes from 198.51.100.20: icmp_seq=2 ttl=62 time=707 ms
64 bytes from 198.51.100.20: icmp_seq=3 ttl=62 time=1003 ms
64 bytes from 198.51.100.20: icmp_seq=4 ttl=62 time=1041 ms

--- 198.51.100.20 ping statistics ---
5 packets transmitted, 4 received, 20% packet loss, time 803ms
rtt min/avg/max/mdev = 412.204/790.812/1041.338/254.117 ms, pipe 5
`;

const idlePing = `PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.
64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.022 ms
64 bytes from 127.0.0.1: icmp_seq=2 ttl=64 time=0.039 ms
64 bytes from 127.0.0.1: icmp_seq=3 ttl=64 time=0.046 ms

--- 127.0.0.1 ping statistics ---
3 packets transmitted, 3 received, 0% packet loss, time 405ms
rtt min/avg/max/mdev = 0.022/0.035/0.046/0.010 ms
`;

describe('parsePingRtts', () => {
  it('reads every reply and the summary', () => {
    expect(parsePingRtts(loadedPing)).toEqual({
      sent: 5,
      received: 4,
      rtts: [412, 707, 1003, 1041],
    });
    expect(parsePingRtts(idlePing).rtts).toEqual([0.022, 0.039, 0.046]);
  });

  it('reads nothing sent when the network is unreachable', () => {
    expect(parsePingRtts('ping: connect: Network is unreachable\n')).toEqual({
      sent: 0,
      received: 0,
      rtts: [],
    });
  });
});

it('median: the middle one, or the mean of the two middle ones', () => {
  expect(median([412, 707, 1003, 1041])).toBe(855);
  expect(median([3, 1, 2])).toBe(2);
  expect(median([])).toBeUndefined();
});

describe('judging round trips', () => {
  const data = (internet: { idleMs?: number; downloadMs?: number; uploadMs?: number }) => ({
    server: 'http://198.51.100.80/speed-test',
    load: { downloadMbps: 1.9, uploadMbps: 0.4 },
    maxIdleRttMs: checkThresholds.maxIdleRttMs,
    maxLoadedRttIncreaseMs: checkThresholds.maxLoadedRttIncreaseMs,
    gateway: {
      address: '192.168.1.1',
      idleMs: 0.1,
      downloadMs: 0.2,
      uploadMs: 0.2,
      sent: 26,
      received: 26,
    },
    internet: { address: '198.51.100.20', sent: 26, received: 26, ...internet },
  });

  it.each<[string, { idleMs?: number; downloadMs?: number; uploadMs?: number }, boolean]>([
    ['a quiet line', { idleMs: 12, downloadMs: 30, uploadMs: 41 }, true],
    ['a queue of a second on the upload', { idleMs: 12, downloadMs: 30, uploadMs: 1040 }, false],
    ['a 400 ms path, steady under load', { idleMs: 401, downloadMs: 401, uploadMs: 402 }, false],
    ['every reply lost during the download', { idleMs: 12, uploadMs: 40 }, false],
    ['no idle reply at all', { downloadMs: 30, uploadMs: 40 }, false],
  ])('%s: ok is %s', (_what, internet, ok) => {
    expect(latencyOk(data(internet))).toBe(ok);
  });

  it('a queue at the router fails too', () => {
    const slowRouter = { ...data({ idleMs: 12, downloadMs: 30, uploadMs: 40 }) };
    slowRouter.gateway = { ...slowRouter.gateway, uploadMs: 250 };
    expect(latencyOk(slowRouter)).toBe(false);
    expect(rise(slowRouter.gateway)).toBe(249.9);
  });
});
