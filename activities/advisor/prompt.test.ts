import { SYSTEM_PROMPT } from './prompt';

// Claude is told what each long-tail check's failure means and where it leads.

it.each<[string, RegExp]>([
  ['dhcp_servers', /dhcp_servers: more than one server .*second Wi-Fi router .*LAN port/],
  ['dns_integrity', /dns_integrity: private-answer or nxdomain .*issueCategory dns/],
  ['path_mtu', /path_mtu: largestPassing below minimumMtu \(1400\) .*WAN MTU .*\+ 28/],
  ['captive_portal and tcp_tls', /captive_portal .*tcp_tls .*login page \(filtering\)/],
  ['clock_offset', /clock_offset beyond maxOffsetMs \(5000 ms\).*certificates fail \(clock\)/],
  ['the description', /description mentions .*before answering "healthy"/],
  [
    'wifi',
    /wifi: on a box that is on Wi-Fi, weak-signal \(below -75 dBm\).*escalate as wifi rather than answer "healthy"/,
  ],
  [
    'lan_inventory',
    /lan_inventory: .*\(lan-device\).*never answer "healthy" and never propose a network fix/,
  ],
  ['ipv6', /ipv6: offered .*unreachable or lossy .*\(ipv6\).*switch IPv6 off .*never healthy/],
  ['ip_conflict', /ip_conflict: address-in-use .*gateway-several-macs .*\(ip-conflict\).*oui/],
])('the system prompt explains %s', (_what, rule) => {
  expect(SYSTEM_PROMPT).toMatch(rule);
});
