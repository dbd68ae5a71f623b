import path from 'node:path';
import { ipv6, lan, tsx, type LabShell } from './addresses';

// What the office LAN has beside the router and the plugs (called from
// Lab.build): a network printer, and IPv6 on
// 2001:db8::/32, routed (no NAT) from the router through the modem to the
// ISP, with the router advertising its LAN prefix (dnsmasq, RA only: the Pi
// and the PC configure themselves by SLAAC).

export async function addIpv6(lab: LabShell, { networkManager = false } = {}): Promise<void> {
  // NetworkManager reads router advertisements itself (and keeps the kernel from doing it):
  // an address the kernel configured first would make NM take eth0 as configured by another tool.
  if (networkManager) {
    await lab.in('pi', 'sysctl', ['-qw', 'net.ipv6.conf.eth0.accept_ra=0']);
  }
  // Static addresses without duplicate-address detection: usable at once.
  const addr = (role: 'rt' | 'mdm' | 'isp', cidr: string, dev: string) =>
    lab.in(role, 'ip', ['-6', 'addr', 'add', cidr, 'dev', dev, 'nodad']);
  const route = (role: 'rt' | 'mdm' | 'isp', ...args: string[]) =>
    lab.in(role, 'ip', ['-6', 'route', 'add', ...args]);
  for (const role of ['rt', 'mdm', 'isp'] as const) {
    await lab.in(role, 'sysctl', ['-qw', 'net.ipv6.conf.all.forwarding=1']);
  }
  await addr('rt', `${ipv6.router}/64`, 'lan0');
  await addr('rt', `${ipv6.routerWan}/64`, 'wan0');
  await route('rt', 'default', 'via', ipv6.modem);
  await addr('mdm', `${ipv6.modem}/64`, 'lan0');
  await addr('mdm', `${ipv6.modemWan}/64`, 'wan0');
  await route('mdm', 'default', 'via', ipv6.isp);
  await route('mdm', ipv6.lanPrefix, 'via', ipv6.routerWan);
  await addr('isp', `${ipv6.isp}/64`, 'cust0');
  await route('isp', ipv6.lanPrefix, 'via', ipv6.modemWan);
  await route('isp', '2001:db8:100::/64', 'via', ipv6.modemWan);
  for (const a of [ipv6.target, ipv6.web]) await addr('isp', `${a}/128`, 'lo');
  // Router advertisements only (no DHCPv6), from a dnsmasq of their own: the router's
  // DHCP and DNS dnsmasq restarts with some faults, and its advertisements go on.
  lab.start('router-ra', 'rt', 'dnsmasq', [
    ...['--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts'],
    ...['--user=root', '--port=0', '--interface=lan0', '--enable-ra'],
    `--pid-file=${path.join(lab.dir, 'router-ra.pid')}`,
    `--dhcp-leasefile=${path.join(lab.dir, 'router-ra.leases')}`,
    '--dhcp-range=::,constructor:lan0,ra-only,64,1h',
  ]);
}

/** Until the Pi has configured a global address from the router's advertisement. */
export async function waitForPiIpv6(lab: LabShell): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const out = await lab.in('pi', 'ip', ['-6', 'addr', 'show', 'dev', 'eth0', 'scope', 'global']);
    if (/inet6 2001:db8:1:/.test(out) && !/tentative/.test(out)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `The Pi got no IPv6 address from the router's advertisements:\n${out}\n${lab.output('router-ra')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A network printer (printerEmulator.ts), set by hand to a fixed address as printers often are. */
export const printer = { address: '192.168.1.60' };

export async function addPrinter(lab: LabShell): Promise<void> {
  await lab.wire('printer', 'eth0', 'sw', 'printer', { bridge: true });
  await lab.in('printer', 'ip', ['addr', 'add', `${printer.address}/24`, 'dev', 'eth0']);
  await lab.in('printer', 'ip', ['route', 'add', 'default', 'via', lan.router]);
  lab.start('printer', 'printer', process.execPath, [
    ...tsx,
    path.join(__dirname, 'printerEmulator.ts'),
    printer.address,
  ]);
  await lab.waitForPort('printer', printer.address, 631);
}
