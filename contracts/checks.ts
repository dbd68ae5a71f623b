// The names of the checks the agent can run, and the first round of every
// case: plain data, so the workflow can use it without bundling zod. What each
// check reports is in ./diagnostics.ts.

/** Checks for the faults beyond the common ones: asked for by the advisor, never in the first round. */
export const longTailChecks = [
  'dhcp_servers',
  'dns_integrity',
  'path_mtu',
  'captive_portal',
  'tcp_tls',
  'clock_offset',
  'throughput',
  'latency_under_load',
  'router_api',
  'ip_conflict',
  'ipv6',
  'lan_inventory',
  'wifi',
] as const;

export const checkNames = [
  'link',
  'ip_config',
  'dhcp',
  'gateway',
  'dns',
  'internet',
  'http',
  'traceroute',
  'modem',
  'mdns',
  'lte',
  ...longTailChecks,
] as const;

export type CheckName = (typeof checkNames)[number];

/** The first round of every case. */
export const baselineChecks: CheckName[] = ['link', 'ip_config', 'gateway', 'dns', 'internet'];
