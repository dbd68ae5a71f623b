import { conflictFindings, parseArping } from './ipConflict';

// Output of iputils arping 20221126 (Debian bookworm's iputils-arping), as printed.

describe("arping's output", () => {
  it('reads a duplicate-address probe that another device answered', () => {
    const out = `ARPING 192.168.1.23 from 0.0.0.0 eth0
Unicast reply from 192.168.1.23 [26:5F:88:EA:E4:8B]  0.541ms
Sent 1 probes (1 broadcast(s))
Received 1 response(s)
`;
    expect(parseArping(out)).toEqual({
      sent: 1,
      answers: [{ mac: '26:5f:88:ea:e4:8b', oui: '26:5f:88', replies: 1 }],
    });
  });

  it('reads a probe nobody answered', () => {
    const out = `ARPING 192.168.1.23 from 0.0.0.0 eth0
Sent 2 probes (2 broadcast(s))
Received 0 response(s)
`;
    expect(parseArping(out)).toEqual({ sent: 2, answers: [] });
  });

  it('counts the replies of every MAC answering for the gateway', () => {
    const out = `ARPING 192.168.1.1 from 192.168.1.23 eth0
Unicast reply from 192.168.1.1 [26:5F:88:EA:E4:8B]  0.544ms
Unicast reply from 192.168.1.1 [F2:BF:40:AE:CB:7C]  0.554ms
Unicast reply from 192.168.1.1 [26:5F:88:EA:E4:8B]  0.552ms
Unicast reply from 192.168.1.1 [F2:BF:40:AE:CB:7C]  0.601ms
Sent 2 probes (2 broadcast(s))
Received 4 response(s)
`;
    expect(parseArping(out)).toEqual({
      sent: 2,
      answers: [
        { mac: '26:5f:88:ea:e4:8b', oui: '26:5f:88', replies: 2 },
        { mac: 'f2:bf:40:ae:cb:7c', oui: 'f2:bf:40', replies: 2 },
      ],
    });
  });
});

describe('the ip_conflict findings', () => {
  const router = { mac: 'f2:bf:40:ae:cb:7c', oui: 'f2:bf:40', replies: 4 };
  const other = { mac: '26:5f:88:ea:e4:8b', oui: '26:5f:88', replies: 4 };

  it('finds nothing when nobody else holds the address and one router answers', () => {
    expect(conflictFindings([], { answers: [router], cachedMac: router.mac })).toEqual([]);
    expect(conflictFindings([], { answers: [router] })).toEqual([]);
  });

  it('names a device on the box’s own address', () => {
    expect(conflictFindings([other], { answers: [router] })).toEqual(['address-in-use']);
  });

  it('names two MACs for the gateway, a cached MAC no probe confirms, and a silent gateway', () => {
    expect(conflictFindings([], { answers: [router, other] })).toEqual(['gateway-several-macs']);
    expect(conflictFindings([], { answers: [router], cachedMac: other.mac })).toEqual([
      'gateway-mac-changed',
    ]);
    expect(conflictFindings([], { answers: [] })).toEqual(['gateway-silent']);
  });
});
