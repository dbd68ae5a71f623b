import type { RequestHandler } from 'express';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DeliveryChannel } from '../contracts/notifications';
import { SlaKind } from '../contracts/technician';

// Prometheus metrics. Each process (API, worker) serves its own registry at
// /metrics; the process metrics (RSS, CPU, event loop lag) come with it.

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'zen_' });

const minutes = [5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];

export const casesOpened = new Counter({
  name: 'zen_cases_opened_total',
  help: 'Support cases opened, by channel',
  labelNames: ['channel'],
  registers: [registry],
});

export const casesClosed = new Counter({
  name: 'zen_cases_closed_total',
  help: 'Support cases closed, by outcome (resolved, not_fixable_remotely, escalated, cancelled)',
  labelNames: ['outcome'],
  registers: [registry],
});

export const caseDuration = new Histogram({
  name: 'zen_case_duration_seconds',
  help: 'Time from opening a case to closing it, by outcome; outcome="resolved" is the time to resolution',
  labelNames: ['outcome'],
  buckets: minutes,
  registers: [registry],
});

export const slaBreaches = new Counter({
  name: 'zen_sla_breaches_total',
  help: 'Cases that passed a service-level deadline, by kind (first_response, resolution)',
  labelNames: ['kind'],
  registers: [registry],
});

// Served at 0 from the start: increase() in the alert rules cannot see a series' first sample,
// so a counter that only appears at its first breach would never fire its alert.
for (const kind of SlaKind.options) slaBreaches.labels(kind).inc(0);

export const approvalWait = new Histogram({
  name: 'zen_approval_wait_seconds',
  help: 'Time a proposed fix waited for the customer decision, by decision',
  labelNames: ['decision'],
  buckets: [1, 5, 15, 30, 60, 120, 300, 600, 900, 1200],
  registers: [registry],
});

export const deviceCommandLatency = new Histogram({
  name: 'zen_device_command_seconds',
  help: 'Time from storing a device command to its result, by kind and outcome',
  labelNames: ['kind', 'ok'],
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
  registers: [registry],
});

export const deviceHeartbeats = new Counter({
  name: 'zen_device_heartbeats_total',
  help: 'Device heartbeats received, by whether they were written to the device document',
  labelNames: ['written'],
  registers: [registry],
});

export const notificationsSettled = new Counter({
  name: 'zen_notifications_total',
  help: 'Notification deliveries settled, by channel and outcome (sent, unconfirmed, failed)',
  labelNames: ['channel', 'outcome'],
  registers: [registry],
});

export const httpDuration = new Histogram({
  name: 'zen_http_request_duration_seconds',
  help: 'HTTP request latency, by method, route pattern and status code',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

// The failures the notification alert watches, served at 0 for the same reason.
for (const channel of DeliveryChannel.options)
  notificationsSettled.labels(channel, 'failed').inc(0);

/** Open on a private network by default; with a metrics token set, only for the scraper. */
export function metricsGuard(token: string | undefined): RequestHandler {
  return (req, res, next) => {
    if (!token || req.get('authorization') === `Bearer ${token}`) return next();
    res.status(401).json({ error: 'Metrics need the metrics token', code: 'UNAUTHORIZED' });
  };
}

/**
 * Serves the registry, followed by whatever `extra` returns (the Temporal SDK's
 * own metrics in the worker) so one scrape gets both.
 */
export function metricsHandler(extra?: () => Promise<string>): RequestHandler {
  return async (_req, res) => {
    const own = await registry.metrics();
    const more = extra ? await extra().catch(() => '') : '';
    res.type(registry.contentType).send(more ? `${own}\n${more}` : own);
  };
}
