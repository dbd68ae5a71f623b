import { lan } from './addresses';
import { type Lab } from './topology';

// Faults in the router's own settings and its uplink: what its DHCP hands out,
// changed as a person would change it (in the router's web interface, i.e. its
// API, when the router has one; else its dnsmasq starts again with the setting),
// and a WAN interface that lost its address. applyFault (faults.ts) calls them.

/** Logs in to the router's API as its administrator, sets the LAN DHCP options and commits. */
const asAdministrator = `
const [url, username, password, options] = process.argv.slice(1);
const rpc = async (sid, object, method, args) => {
  const res = await fetch(url, { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'call', params: [sid, object, method, args] }) });
  const reply = await res.json();
  if (!reply.result || reply.result[0] !== 0) throw new Error(object + ' ' + method + ': ' + JSON.stringify(reply));
  return reply.result[1];
};
(async () => {
  const { ubus_rpc_session: sid } = await rpc('0'.repeat(32), 'session', 'login', { username, password });
  await rpc(sid, 'uci', 'set', { config: 'dhcp', section: 'lan', values: { dhcp_option: JSON.parse(options) } });
  await rpc(sid, 'uci', 'commit', { config: 'dhcp' });
})().catch((err) => { console.error(err.message); process.exit(1); });
`;

/**
 * Someone changed what the router's DHCP hands out; then every device renews its lease
 * (as each does within half its lease time) and gets the new setting.
 */
export async function changeRouterDhcp(
  lab: Lab,
  handedOut: { gateway?: string; dns?: string[] },
): Promise<void> {
  if (lab.routerApi) {
    const options = [
      ...(handedOut.gateway ? [`3,${handedOut.gateway}`] : []),
      ...(handedOut.dns ? [`6,${handedOut.dns.join(',')}`] : []),
    ];
    const { username, password } = lab.routerLogins.admin;
    await lab.in('rt', process.execPath, [
      ...['-e', asAdministrator, `http://${lan.router}/ubus`],
      ...[username, password, JSON.stringify(options)],
    ]);
  } else {
    await lab.stopProcess('router-dnsmasq');
    await lab.startRouterDnsmasq(lab.dhcpPool, [], handedOut);
  }
  await lab.renewLeases();
}

/**
 * The router's WAN lost its address (the ISP's DHCP or PPPoE session hung): its link
 * stays up, the address and the default route through the modem are gone, so nothing
 * gets out, and the modem's management address is out of reach too.
 */
export async function dropRouterWan(lab: Lab): Promise<void> {
  await lab.in('rt', 'ip', ['-4', 'addr', 'flush', 'dev', 'wan0']);
}
