import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// The local stand-in for the PagerDuty Events API v2: POST /v2/enqueue with routing_key,
// event_action (trigger, acknowledge, resolve), dedup_key and, for a trigger, payload
// {summary, source, severity}. Answers 202 {status, message, dedup_key}, or 400 with
// `errors` for a bad event. Keeps the incidents by dedup key, as PagerDuty does: a trigger
// for an open incident adds to it, acknowledge and resolve act on it.

export type IncidentStatus = 'triggered' | 'acknowledged' | 'resolved';

export interface PagerDutyEvent {
  action: 'trigger' | 'acknowledge' | 'resolve';
  dedupKey: string;
  summary?: string;
  at: number;
}

export interface PagerDutyStandIn {
  /** The events URL (PAGERDUTY_EVENTS_URL). */
  eventsUrl: string;
  routingKey: string;
  events: PagerDutyEvent[];
  incidents: Map<string, { status: IncidentStatus; summary: string }>;
  stop(): Promise<void>;
}

const severities = ['critical', 'error', 'warning', 'info'];
const actions = ['trigger', 'acknowledge', 'resolve'] as const;

export async function startPagerDutyStandIn({
  port = 0,
  routingKey = randomBytes(16).toString('hex'),
  onEvent,
}: {
  port?: number;
  routingKey?: string;
  onEvent?: (event: PagerDutyEvent) => void;
} = {}): Promise<PagerDutyStandIn> {
  const events: PagerDutyEvent[] = [];
  const incidents = new Map<string, { status: IncidentStatus; summary: string }>();
  const server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, { status: 'error', message: 'Internal error' }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'POST' || url.pathname !== '/v2/enqueue') {
      return send(res, 404, { status: 'error', message: 'Not found' });
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      if (typeof body !== 'object' || body === null)
        return invalid(res, ['The event must be an object']);
    } catch {
      return invalid(res, ['Malformed JSON']);
    }
    const problems: string[] = [];
    if (body.routing_key !== routingKey) problems.push("'routing_key' is invalid");
    const action = actions.find((a) => a === body.event_action);
    if (!action) problems.push("'event_action' must be trigger, acknowledge or resolve");
    const dedupKey = typeof body.dedup_key === 'string' ? body.dedup_key : undefined;
    if (action && action !== 'trigger' && !dedupKey) problems.push("'dedup_key' is missing");
    if (action === 'trigger') {
      const p = body.payload as Record<string, unknown> | undefined;
      if (typeof p?.summary !== 'string' || !p.summary)
        problems.push("'payload.summary' is missing");
      if (typeof p?.source !== 'string' || !p.source) problems.push("'payload.source' is missing");
      if (!severities.includes(String(p?.severity))) problems.push("'payload.severity' is invalid");
    }
    if (problems.length > 0 || !action) return invalid(res, problems);
    const key = dedupKey ?? randomBytes(16).toString('hex');
    const summary = String((body.payload as { summary?: string } | undefined)?.summary ?? '');
    const incident = incidents.get(key);
    if (action === 'trigger') {
      if (!incident || incident.status === 'resolved') {
        incidents.set(key, { status: 'triggered', summary });
      }
    } else if (incident && incident.status !== 'resolved') {
      // Acknowledging or resolving an incident that is not open does nothing.
      incident.status = action === 'acknowledge' ? 'acknowledged' : 'resolved';
    }
    const event = { action, dedupKey: key, ...(summary && { summary }), at: Date.now() };
    events.push(event);
    onEvent?.(event);
    send(res, 202, { status: 'success', message: 'Event processed', dedup_key: key });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    eventsUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/enqueue`,
    routingKey,
    events,
    incidents,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function invalid(res: ServerResponse, errors: string[]) {
  send(res, 400, { status: 'invalid event', message: 'Event object is invalid', errors });
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
