import { formatIpv6, ipv6Findings, ipv6Groups, ipv6State, isEui64, prefixOf } from './ipv6';

// `ip -j -6 route show dev eth0` and `ip -j -6 addr show dev eth0` (iproute2 6.1) on a
// box that took its address by SLAAC from a router advertisement.
const routes = [
  {
    dst: '2001:db8:1::/64',
    protocol: 'kernel',
    metric: 256,
    flags: [],
    expires: 3598,
    pref: 'medium',
  },
  { dst: 'fe80::/64', protocol: 'kernel', metric: 256, flags: [], pref: 'medium' },
  {
    dst: 'default',
    gateway: 'fe80::1812:30ff:fe54:3aa2',
    protocol: 'ra',
    metric: 1024,
    flags: [],
    expires: 1798,
    metrics: [{ hoplimit: 64 }],
    pref: 'medium',
  },
];
const addrs = [
  {
    ifindex: 2,
    ifname: 'eth0',
    flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
    addr_info: [
      {
        family: 'inet6',
        local: '2001:db8:1:0:440f:43ff:fe46:cc50',
        prefixlen: 64,
        scope: 'global',
        dynamic: true,
        mngtmpaddr: true,
        valid_life_time: 3599,
        preferred_life_time: 3599,
      },
      {
        family: 'inet6',
        local: 'fe80::440f:43ff:fe46:cc50',
        prefixlen: 64,
        scope: 'link',
        valid_life_time: 4294967295,
        preferred_life_time: 4294967295,
      },
    ],
  },
];

describe('IPv6 addresses', () => {
  it('expands, shortens and masks them', () => {
    expect(ipv6Groups('2001:db8:1::1')).toEqual([0x2001, 0xdb8, 1, 0, 0, 0, 0, 1]);
    expect(ipv6Groups('::1')).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(formatIpv6([0x2001, 0xdb8, 0, 0, 1, 0, 0, 0])).toBe('2001:db8:0:0:1::');
    expect(formatIpv6([0x2001, 0xdb8, 1, 2, 3, 4, 5, 6])).toBe('2001:db8:1:2:3:4:5:6');
    expect(prefixOf('2001:db8:1:0:440f:43ff:fe46:cc50', 64)).toBe('2001:db8:1::/64');
    expect(prefixOf('2001:db8:abcd:12ff::1', 56)).toBe('2001:db8:abcd:1200::/56');
  });

  it('tells an interface identifier made from a MAC', () => {
    expect(isEui64('fe80::1812:30ff:fe54:3aa2')).toBe(true);
    expect(isEui64('fe80::1')).toBe(false);
    expect(isEui64('2001:db8:1:0:9c4e:2d1a:7b33:e0f1')).toBe(false);
  });
});

describe('the IPv6 state', () => {
  it('reads the advertised router and the prefix, never the box’s own address', () => {
    const state = ipv6State(addrs, routes);
    expect(state).toEqual({
      offered: true,
      // The router's link-local address is EUI-64 (its MAC): left out.
      router: { lifetimeS: 1798 },
      prefixes: [
        { prefix: '2001:db8:1::/64', announced: true, addresses: 1, validLifetimeS: 3599 },
      ],
    });
    expect(JSON.stringify(state)).not.toContain('440f');
  });

  it('is not offered without an advertisement', () => {
    const linkLocal = [{ addr_info: [addrs[0]!.addr_info[1]!] }];
    expect(ipv6State(linkLocal, [routes[1]!])).toEqual({
      offered: false,
      router: undefined,
      prefixes: [],
    });
  });

  it('keeps a router address that is not made from its MAC', () => {
    const router = { ...routes[2]!, gateway: 'fe80::1' };
    expect(ipv6State(addrs, [routes[0]!, router]).router).toEqual({
      address: 'fe80::1',
      lifetimeS: 1798,
    });
  });
});

describe('the ipv6 findings', () => {
  const target = (lossPct: number) => ({ host: '2001:db8:20::20', sent: 5, lossPct });

  it('fail an offered IPv6 that leads nowhere or loses packets', () => {
    expect(ipv6Findings(true, [target(100), target(100)])).toEqual(['unreachable']);
    expect(ipv6Findings(true, [target(0), target(40)])).toEqual(['lossy']);
    expect(ipv6Findings(true, [target(0)])).toEqual([]);
  });

  it('pass an office without IPv6: apps use IPv4', () => {
    expect(ipv6Findings(false, [])).toEqual([]);
  });
});
