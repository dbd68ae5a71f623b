import {
  answeringNeighbours,
  inventoryOk,
  kindOf,
  mergeInventory,
  sweepTargets,
  type Remembered,
} from './lanInventory';

describe('the sweep', () => {
  it('covers the box’s /24 but the box itself, the network and the broadcast address', () => {
    const { subnet, limited, hosts } = sweepTargets('192.168.1.23', 24);
    expect({ subnet, limited, count: hosts.length }).toEqual({
      subnet: '192.168.1.0/24',
      limited: false,
      count: 253,
    });
    expect(hosts[0]).toBe('192.168.1.1');
    expect(hosts.at(-1)).toBe('192.168.1.254');
    expect(hosts).not.toContain('192.168.1.23');
  });

  it('cuts a larger subnet to the /24 around the box, and says so', () => {
    expect(sweepTargets('10.20.37.5', 16)).toMatchObject({
      subnet: '10.20.37.0/24',
      limited: true,
    });
  });

  it('sweeps a smaller subnet whole', () => {
    const small = sweepTargets('192.168.1.70', 28);
    expect(small).toMatchObject({ subnet: '192.168.1.64/28', limited: false });
    expect(small.hosts).toHaveLength(13);
  });
});

describe('the neighbour table', () => {
  // `ip -j neigh show dev eth0` (iproute2 6.1) right after the sweep.
  const entries = [
    { dst: '192.168.1.1', lladdr: '6e:5e:52:0a:11:01', state: ['REACHABLE'] },
    { dst: '192.168.1.60', lladdr: '66:57:67:3b:02:9f', state: ['REACHABLE'] },
    { dst: '192.168.1.61', state: ['INCOMPLETE'] },
    { dst: '192.168.1.62', state: ['FAILED'] },
    { dst: '192.168.1.120', lladdr: '8E:1E:34:00:AB:CD', state: ['STALE'] },
    { dst: '10.0.0.9', lladdr: '8e:1e:34:00:ab:ce', state: ['REACHABLE'] },
  ];

  it('keeps the swept addresses that answered, with their MACs', () => {
    const hosts = new Set(sweepTargets('192.168.1.23', 24).hosts);
    expect([...answeringNeighbours(entries, hosts)]).toEqual([
      ['192.168.1.1', '6e:5e:52:0a:11:01'],
      ['192.168.1.60', '66:57:67:3b:02:9f'],
      ['192.168.1.120', '8e:1e:34:00:ab:cd'],
    ]);
  });
});

describe('device kinds', () => {
  it('come from the announced services, the gateway being the router', () => {
    expect(kindOf(['_ipp._tcp', '_pdl-datastream._tcp'], false)).toBe('printer');
    expect(kindOf(['_smb._tcp'], false)).toBe('file-server');
    expect(kindOf(['_rtsp._tcp'], false)).toBe('camera');
    expect(kindOf(['_sip._udp'], false)).toBe('phone');
    expect(kindOf(['_airplay._tcp', '_raop._tcp'], false)).toBe('media');
    expect(kindOf([], false)).toBe('unknown');
    expect(kindOf([], true)).toBe('router');
  });
});

describe('what the box remembers', () => {
  const yesterday = new Date('2026-12-05T09:00:00Z');
  const today = new Date('2026-12-06T09:00:00Z');
  const router = { address: '192.168.1.1', mac: '6e:5e:52:0a:11:01', services: [] };
  const printer = {
    address: '192.168.1.60',
    mac: '66:57:67:3b:02:9f',
    services: ['_ipp._tcp' as const],
    port: 631,
  };
  const laptop = { address: '192.168.1.120', mac: '8e:1e:34:00:ab:cd', services: [] };

  it('remembers what it saw, and nothing is missing the first time', () => {
    const first = mergeInventory([router, printer, laptop], [], router.address, yesterday);
    expect(first.devices.map((d) => [d.kind, d.answers, d.seenBefore])).toEqual([
      ['router', true, false],
      ['printer', true, false],
      ['unknown', true, false],
    ]);
    expect(first.remember).toContainEqual({
      ...printer,
      kind: 'printer',
      lastSeen: yesterday.toISOString(),
    });
    expect(inventoryOk(first.devices)).toBe(true);
  });

  it('reports a remembered printer that no longer answers, first, and fails', () => {
    const { remember } = mergeInventory([router, printer, laptop], [], router.address, yesterday);
    const now = mergeInventory([router], remember, router.address, today);
    expect(now.devices[0]).toEqual({
      address: '192.168.1.60',
      mac: printer.mac,
      oui: '66:57:67',
      answers: false,
      kind: 'printer',
      services: ['_ipp._tcp'],
      servicePort: { port: 631, open: false },
      seenBefore: true,
      lastSeen: yesterday.toISOString(),
    });
    // A laptop gone home is reported, but is no fault.
    expect(now.devices.map((d) => [d.kind, d.answers])).toContainEqual(['unknown', false]);
    expect(inventoryOk(now.devices)).toBe(false);
    expect(inventoryOk(now.devices.filter((d) => d.kind !== 'printer'))).toBe(true);
  });

  it('knows a device on a new address by its MAC, and what it announced before', () => {
    const { remember } = mergeInventory([printer], [], undefined, yesterday);
    const moved = { ...printer, address: '192.168.1.77', services: [] };
    const now = mergeInventory([moved], remember, undefined, today);
    expect(now.devices).toEqual([
      expect.objectContaining({ address: '192.168.1.77', kind: 'printer', seenBefore: true }),
    ]);
  });

  it('forgets devices after 30 days, and keeps at most 64', () => {
    const old: Remembered = {
      ...laptop,
      kind: 'unknown',
      lastSeen: '2026-10-01T00:00:00.000Z',
    };
    expect(mergeInventory([], [old], undefined, today)).toEqual({ devices: [], remember: [] });
    const many = Array.from({ length: 80 }, (_, i) => ({
      address: `192.168.1.${i + 2}`,
      mac: `02:00:00:00:00:${i.toString(16).padStart(2, '0')}`,
      services: [],
    }));
    const merged = mergeInventory(many, [], undefined, today);
    expect(merged.remember).toHaveLength(64);
    expect(merged.devices).toHaveLength(64);
  });
});
