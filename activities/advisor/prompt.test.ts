import { adviceTool, SYSTEM_PROMPT } from './prompt';
import { validateModelAdvice } from './validate';

// Claude is told what each long-tail check's failure means and where it leads.

it.each<[string, RegExp]>([
  ['dhcp_servers', /dhcp_servers: more than one server .*second Wi-Fi router .*LAN port/],
  ['dns_integrity', /dns_integrity: private-answer or nxdomain .*issueCategory dns/],
  ['path_mtu', /path_mtu: largestPassing below minimumMtu \(1400\) .*WAN MTU .*\+ 28/],
  ['captive_portal and tcp_tls', /captive_portal .*tcp_tls .*login page \(filtering\)/],
  ['clock_offset', /clock_offset beyond maxOffsetMs \(5000 ms\).*certificates fail \(clock\)/],
  ['the description', /description mentions .*before answering "healthy"/],
  [
    'throughput',
    /throughput: .*\(10\/2\) the line is too slow \(performance: .*line test.*box's own cable or port caps .*\(link\).*"skipped".*no evidence/,
  ],
  [
    'latency_under_load',
    /latency_under_load: .*\(100 ms\) above idle .*bufferbloat \(performance: enable SQM .*90 %.*\(lan-device\).*\(150 ms\).*Never propose a power cycle/,
  ],
  ['a long round trip', /internet round trips above 150 ms\), the answer is never "healthy"/],
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

describe('a step the customer takes on site', () => {
  it('is explained in the prompt and offered by the tool', () => {
    expect(SYSTEM_PROMPT).toMatch(
      /"customerStep": \{"title", "steps"\}.*waits for the customer's word/,
    );
    expect(adviceTool.input_schema.properties.customerStep).toMatchObject({
      required: ['title', 'steps'],
      properties: { steps: { maxItems: 8 } },
    });
  });

  it("passes the contract from Claude's answer, and too many steps do not", () => {
    const input = {
      caseId: 'c',
      round: 1,
      maxRounds: 4,
      results: [],
      actionsTaken: [],
    };
    const answer = {
      kind: 'escalate',
      issueCategory: 'dhcp',
      diagnosis: 'A second router hands out addresses.',
      instructions: '1. Unplug it.',
      rationale: 'dhcp_servers heard two servers.',
      customerStep: { title: 'Unplug the second router', steps: ['Unplug it.'] },
    };
    expect(validateModelAdvice(answer, input)).toMatchObject({
      customerStep: { title: 'Unplug the second router' },
    });
    const long = { ...answer, customerStep: { title: 'Too much', steps: Array(9).fill('Do.') } };
    expect(() => validateModelAdvice(long, input)).toThrow(/customerStep/);
  });
});
