import { lan } from './addresses';
import { type Lab } from './topology';

// Faults of the office LAN itself, made with a device of their own on the
// switch: the `rogue` namespace (empty until a fault plugs it in) becomes a
// device set by hand to an address another device already holds. applyFault
// (faults.ts) calls these.

/** The Pi's routable IPv4 address on eth0, as its lease gave it. */
async function piAddress(lab: Lab): Promise<string> {
  const [entry] = JSON.parse(await lab.in('pi', 'ip', ['-j', '-4', 'addr', 'show', 'dev', 'eth0']));
  const address = (entry?.addr_info ?? []).find(
    (a: { local: string }) => !a.local.startsWith('169.254.'),
  )?.local;
  if (!address) throw new Error('The Pi has no address of its own to take');
  return address;
}

/** A device joins the switch with a fixed address (as a printer or camera set up by hand). */
async function plugInDeviceAt(lab: Lab, address: string): Promise<void> {
  await lab.wire('rogue', 'eth0', 'sw', 'rogue', { bridge: true });
  await lab.in('rogue', 'ip', ['addr', 'add', `${address}/24`, 'dev', 'eth0']);
}

/** Another device takes the Pi's own address: it answers ARP for it, duplicate-address probes too. */
export async function takePiAddress(lab: Lab): Promise<void> {
  await plugInDeviceAt(lab, await piAddress(lab));
}

/** A device on the LAN also holds the router's address: two MACs answer ARP for the gateway. */
export async function impersonateGateway(lab: Lab): Promise<void> {
  await plugInDeviceAt(lab, lan.router);
}

/**
 * The line drops IPv6 while the router still advertises it (a new provider or modem
 * without IPv6): the ISP drops every IPv6 packet to and from the customer's line.
 */
export async function blackholeIpv6(lab: Lab): Promise<void> {
  const chain = (hook: string, rule: string) =>
    ` chain ${hook} {\n  type filter hook ${hook} priority -100;\n  ${rule}\n }\n`;
  await lab.nft(
    'isp',
    `table inet zen_ipv6 {\n${chain('input', 'meta nfproto ipv6 iifname "cust0" drop')}${chain(
      'forward',
      'meta nfproto ipv6 iifname "cust0" drop\n  meta nfproto ipv6 oifname "cust0" drop',
    )}${chain('output', 'meta nfproto ipv6 oifname "cust0" drop')}}\n`,
  );
}

/**
 * The printer loses power after the box has seen it: an inventory runs first (as an
 * earlier case or a technician's check would have), so the box remembers the printer;
 * then its namespace drops everything, ARP and mDNS included, and sends no goodbye.
 */
export async function powerOffPrinter(lab: Lab): Promise<void> {
  const before = await lab.agentCli(['check', 'lan_inventory']);
  const devices: { kind: string; answers: boolean }[] = before.results?.[0]?.data?.devices ?? [];
  if (!devices.some((d) => d.kind === 'printer' && d.answers)) {
    throw new Error(
      `The box did not see the printer before it lost power: ${JSON.stringify(before)}`,
    );
  }
  const drop = (family: string, hooks: string[]) =>
    `table ${family} zen_power {\n${hooks
      .map(
        (hook) => ` chain ${hook} {\n  type filter hook ${hook} priority -300; policy drop;\n }\n`,
      )
      .join('')}}\n`;
  await lab.nft(
    'printer',
    drop('inet', ['input', 'forward', 'output']) + drop('arp', ['input', 'output']),
  );
}
