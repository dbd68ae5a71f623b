import type { Daemon } from './shell';

// The lab's addresses, its namespaces and what building it needs from a lab:
// the one place the lab's plan is written down (topology.ts builds it).

export const lan = {
  router: '192.168.1.1',
  modemPlug: '192.168.1.50',
  routerPlug: '192.168.1.51',
  modem: '192.168.100.1',
  routerWan: '192.168.100.2',
  /** A consumer router someone plugged into the switch (the rogue-dhcp fault). */
  rogue: '192.168.1.66',
  /** The gateway and resolver the rogue router hands out: nothing answers there. */
  rogueGateway: '192.168.1.254',
};
export const internet = {
  targets: ['198.51.100.20', '203.0.113.20'],
  resolver: '203.0.113.53',
  web: '198.51.100.80',
  webName: 'www.example.com',
  /** An SNTP server (clock_offset's reference). */
  ntp: '203.0.113.123',
};
export const cloud = { name: 'cloud.example.net', address: '203.0.113.10', port: 443 };
/** The carrier: its gateway also answers DNS, as a carrier's resolver does. */
export const lte = { pi: '100.64.0.2', gateway: '100.64.0.1' };
/** Node's arguments for a lab process written in TypeScript. */
export const tsx = ['--import', 'tsx'];

export const roles = [
  'pi',
  'pc',
  'sw',
  'rt',
  'mdm',
  'isp',
  'plug',
  'lte',
  'rogue',
  'printer',
] as const;
export type Role = (typeof roles)[number];

export interface DhcpPool {
  start: string;
  end: string;
  /** Leases already held by other devices: [mac, address]. */
  leases?: [string, string][];
}

export const ipv6 = {
  lanPrefix: '2001:db8:1::/64',
  router: '2001:db8:1::1',
  routerWan: '2001:db8:100::2',
  modem: '2001:db8:100::1',
  modemWan: '2001:db8:ff::2',
  isp: '2001:db8:ff::1',
  /** An IPv6 ping target on the lab's internet. */
  target: '2001:db8:20::20',
  /** www.example.com's AAAA: answers ping (the web site itself is served over IPv4). */
  web: '2001:db8:80::80',
};

/** What the parts of the lab that topology.ts calls while building need of a lab. */
export interface LabShell {
  readonly dir: string;
  in(role: Role, command: string, args: string[]): Promise<string>;
  start(name: string, role: Role, command: string, args: string[]): Daemon;
  wire(a: Role, aDev: string, b: Role, bDev: string, options?: { bridge?: boolean }): Promise<void>;
  waitForPort(role: Role, address: string, port: number, proto?: 'tcp' | 'udp'): Promise<void>;
  output(name: string): string;
}
