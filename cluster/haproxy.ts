import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnService, tcpProbe, waitUntilReady, type Service } from '../temporal-config/process';

// HAProxy in front of the cluster (Debian's haproxy, in the foreground with -db): the one
// address that boxes, portals, Telnyx webhooks and the workers use. /api/, /socket.io/ and
// the portal's /live go to the API instances; everything else to the portal when it runs.

export const apiBackend = 'api';
/** Set on every response: which API instance (or the portal) answered. */
export const instanceHeader = 'x-zen-instance';
/** HAProxy's stickiness cookie for socket.io's HTTP long-polling (one session, one instance). */
export const stickyCookie = 'ZEN_API';

export interface HaproxyOptions {
  /** Config and log go here. */
  dir: string;
  /** The front port, on 127.0.0.1. */
  port: number;
  /** The admin stats page (CSV at /;csv), on 127.0.0.1. */
  statsPort: number;
  apis: { name: string; port: number }[];
  /** The portal, when it runs; otherwise everything goes to the API instances. */
  portalPort?: number;
}

export interface Haproxy extends Service {
  url: string;
  statsUrl: string;
  /** Each API instance's state as HAProxy sees it (UP, DOWN, ...). */
  apiStates(): Promise<Record<string, string>>;
}

export function haproxyConfig(opts: HaproxyOptions): string {
  const apiServers = opts.apis.map(
    (api) => `  server ${api.name} 127.0.0.1:${api.port} check cookie ${api.name}`,
  );
  const toPortal = opts.portalPort !== undefined;
  return `# Written by cluster/haproxy.ts on every start; edits are lost.
global
  # No maxconn: HAProxy takes the most the file descriptor limit allows (10,000 boxes,
  # two descriptors each, need a limit above 20,000).

defaults
  mode http
  option forwardfor
  option redispatch
  retries 2
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  timeout http-request 10s
  timeout http-keep-alive 10s
  timeout queue 5s
  # /api/health waits up to 2 s for an unreachable Temporal server: a shorter check timeout
  # would take every instance out while Temporal is down. A dead instance refuses at once.
  timeout check 4s
  # A box's websocket lives for hours; socket.io pings it every 25 s, so an hour of
  # silence means a dead peer.
  timeout tunnel 1h

frontend front
  bind 127.0.0.1:${opts.port}
  # The API trusts forwarded headers from loopback (TRUST_PROXY), where this runs.
  http-request set-header X-Forwarded-Proto http
  # Prometheus scrapes each instance directly, never through here.
  http-request deny status 404 if { path_beg /metrics }
  # The portal's live socket (/live, socket.io) is the API's /socket.io/: served directly.
  http-request set-path /socket.io/ if { path /live }
  http-response set-header X-Zen-Instance %s
  use_backend ${apiBackend} if { path_beg /api/ } || { path_beg /socket.io/ }
  default_backend ${toPortal ? 'portal' : apiBackend}

backend ${apiBackend}
  # Long-lived websockets: new ones go where the fewest are.
  balance leastconn
  # An instance is out when its process stops answering; "degraded" (503: Temporal or the
  # store unreachable) is shared by every instance and is no reason to take one out.
  option httpchk GET /api/health
  http-check expect rstatus ^(200|503)$
  default-server inter 1s fastinter 500ms downinter 1s fall 2 rise 1
  # socket.io's HTTP long-polling needs one instance per session; redispatch moves the
  # sessions of an instance that died.
  cookie ${stickyCookie} insert indirect nocache httponly
${apiServers.join('\n')}
${
  toPortal
    ? `
backend portal
  option httpchk GET /
  default-server inter 2s fall 2 rise 1
  server portal 127.0.0.1:${opts.portalPort} check
`
    : ''
}
listen stats
  bind 127.0.0.1:${opts.statsPort}
  stats enable
  stats uri /
  stats refresh 5s
`;
}

export async function startHaproxy(opts: HaproxyOptions): Promise<Haproxy> {
  const configFile = path.join(opts.dir, 'haproxy.cfg');
  const logFile = path.join(opts.dir, 'haproxy.log');
  writeFileSync(configFile, haproxyConfig(opts));
  const service = spawnService('haproxy', 'haproxy', ['-f', configFile, '-db'], { logFile });
  const statsUrl = `http://127.0.0.1:${opts.statsPort}/`;
  const apiStates = async () => {
    const res = await fetch(`${statsUrl};csv`);
    if (!res.ok) throw new Error(`HAProxy stats answered ${res.status}`);
    return parseStates(await res.text(), apiBackend);
  };
  // Ready when it listens and has seen every API instance answer its check.
  await waitUntilReady(
    service,
    async () => {
      await tcpProbe(opts.port);
      const states = await apiStates();
      const down = opts.apis.filter((api) => states[api.name] !== 'UP');
      if (down.length) throw new Error(`not yet up: ${down.map((a) => a.name).join(', ')}`);
    },
    { logFile, timeoutMs: 30_000 },
  );
  return { ...service, url: `http://127.0.0.1:${opts.port}`, statsUrl, apiStates };
}

/** The servers of one backend and their status, from HAProxy's stats CSV. */
export function parseStates(csv: string, backend: string): Record<string, string> {
  const [header, ...rows] = csv.replace(/^# /, '').trim().split('\n');
  const columns = header!.split(',');
  const at = (name: string) => columns.indexOf(name);
  const states: Record<string, string> = {};
  for (const row of rows) {
    const cells = row.split(',');
    const server = cells[at('svname')]!;
    if (cells[at('pxname')] !== backend || server === 'BACKEND' || server === 'FRONTEND') continue;
    // "UP 1/2" while a check is in flight: the first word is the state.
    states[server] = cells[at('status')]!.split(' ')[0]!;
  }
  return states;
}
