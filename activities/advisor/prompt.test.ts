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
    'throughput',
    /throughput: .*\(10\/2\) the line is too slow \(performance: .*line test.*box's own cable or port caps .*\(link\).*"skipped".*no evidence/,
  ],
  [
    'latency_under_load',
    /latency_under_load: .*\(100 ms\) above idle .*bufferbloat \(performance: enable SQM .*90 %.*\(lan-device\).*\(150 ms\).*Never propose a power cycle/,
  ],
  ['a long round trip', /internet round trips above 150 ms\), the answer is never "healthy"/],
])('the system prompt explains %s', (_what, rule) => {
  expect(SYSTEM_PROMPT).toMatch(rule);
});
