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
    'router_api',
    /router_api: the router's own view .*configured false means no login: nothing measured/,
  ],
  [
    'a dropped WAN',
    /wan\.up false while the router answers .*router_restart_wan \(issueCategory isp\), not the modem/,
  ],
  [
    "the router's DHCP fixes",
    /router_set_dhcp_dns with the working reference resolver, issueCategory dns; router_set_dhcp_gateway with lanAddress/,
  ],
  [
    'the evidence for the router fixes',
    /router_set_dhcp_gateway only when router_api shows a working login, .*"gateway" is router_api's lanAddress; router_restart_wan only when/,
  ],
  [
    'when to ask for it',
    /Ask for router_api together with dhcp_servers when the configured resolver fails/,
  ],
])('the system prompt explains %s', (_what, rule) => {
  expect(SYSTEM_PROMPT).toMatch(rule);
});
