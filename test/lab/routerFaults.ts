import path from 'node:path';
import { makeCa, onDisk } from '../support/testCa';
import { internet, lan, tsx } from './addresses';
import { type Lab } from './topology';

// Faults that need a lab process of their own: a second DHCP server, a router
// whose settings changed, a login page, an interceptor, a clock that lies.
// applyFault (faults.ts) calls them; each starts through the lab, so the lab's
// teardown ends it.

/** The reference clock answers `skewSeconds` off (the box's own clock is the host's). */
export async function skewReferenceClock(lab: Lab, skewSeconds: number): Promise<void> {
  await lab.stopProcess('sntp');
  lab.startSntp(skewSeconds);
  await lab.waitForPort('isp', internet.ntp, 123, 'udp');
}

/** A consumer router plugged into the switch: its own DHCP server, handing out itself-less settings. */
export async function plugInRogueDhcp(lab: Lab): Promise<void> {
  await lab.wire('rogue', 'eth0', 'sw', 'rogue', { bridge: true });
  await lab.in('rogue', 'ip', ['addr', 'add', `${lan.rogue}/24`, 'dev', 'eth0']);
  lab.start('rogue-dnsmasq', 'rogue', 'dnsmasq', [
    ...['--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts'],
    ...['--user=root', '--bind-interfaces', '--interface=eth0', '--port=0'],
    `--pid-file=${path.join(lab.dir, 'rogue-dnsmasq.pid')}`,
    `--dhcp-leasefile=${path.join(lab.dir, 'rogue.leases')}`,
    '--dhcp-range=192.168.1.200,192.168.1.210,255.255.255.0,10m',
    `--dhcp-option=option:router,${lan.rogueGateway}`,
    `--dhcp-option=option:dns-server,${lan.rogueGateway}`,
    '--no-ping',
  ]);
  // dnsmasq binds its DHCP socket to the interface: ss shows 0.0.0.0%eth0:67.
  await lab.waitForPort('rogue', '0.0.0.0%eth0', 67, 'udp');
}

/** The router's DNS forwarder started again with more dnsmasq options (a setting changed). */
export async function reconfigureRouterDns(lab: Lab, extraArgs: string[]): Promise<void> {
  await lab.stopProcess('router-dnsmasq');
  await lab.startRouterDnsmasq(lab.dhcpPool, extraArgs);
}

/** The router sends every plain HTTP request from the LAN to its own login page. */
export async function startCaptivePortal(lab: Lab): Promise<void> {
  lab.start('portal', 'rt', process.execPath, [
    ...tsx,
    path.join(__dirname, 'portalServer.ts'),
    lan.router,
  ]);
  await lab.waitForPort('rt', lan.router, 80);
  await divertToRouter(lab, 'zen_portal', 80);
}

/**
 * The router intercepts HTTPS from the LAN (a "security" appliance): its own TLS server
 * answers for the web site with a certificate from a CA the box does not trust.
 */
export async function startTlsInterception(lab: Lab): Promise<void> {
  const forged = makeCa(lab.dir, 'interceptor').issue([internet.webName]);
  lab.start('interceptor', 'rt', process.execPath, [
    ...tsx,
    path.join(__dirname, 'tlsServer.ts'),
    JSON.stringify([{ address: lan.router, port: 443, ...onDisk(forged) }]),
  ]);
  await lab.waitForPort('rt', lan.router, 443);
  await divertToRouter(lab, 'zen_intercept', 443);
}

/** Sends TCP to `port` from the LAN, whatever its destination, to the router itself. */
function divertToRouter(lab: Lab, table: string, port: number): Promise<string> {
  return lab.nft(
    'rt',
    `table ip ${table} {\n chain pre {\n  type nat hook prerouting priority dstnat;\n  iifname "lan0" tcp dport ${port} dnat to ${lan.router}:${port}\n }\n}\n`,
  );
}
