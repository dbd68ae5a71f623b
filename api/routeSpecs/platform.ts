import { KpiQuery, KpiReport } from '../../contracts/kpi';
import { type RouteSpec } from '../routeSpec';

// Health, the OpenAPI document, metrics, the Telnyx webhook and the numbers.

export const platformRoutes: RouteSpec[] = [
  {
    method: 'GET',
    path: '/api/health',
    summary: 'Whether the service is up: ok, or degraded (503)',
    access: { public: 'anyone' },
  },
  {
    method: 'GET',
    path: '/api/health/components',
    summary: 'Health of the API, Temporal and MongoDB, part by part (503 when one is down)',
    access: { roles: ['operator'] },
  },
  {
    method: 'GET',
    path: '/api/openapi.json',
    summary: 'This document',
    access: { public: 'anyone' },
  },
  {
    method: 'GET',
    path: '/metrics',
    summary: 'Prometheus metrics (bearer METRICS_TOKEN when set)',
    access: { public: 'metrics-token' },
  },
  {
    method: 'POST',
    path: '/api/voice/telnyx/webhook',
    summary: 'Telnyx Call Control events (signed, replay-checked)',
    access: { public: 'telnyx-signature' },
  },
  {
    method: 'GET',
    path: '/api/kpi',
    summary:
      'The numbers over a period, overall or for one customer: cases, resolution times, SLA breaches, satisfaction, boxes online',
    access: { roles: ['operator'] },
    query: KpiQuery,
    response: KpiReport,
    answers: {
      '400': '"from" or "to" missing or not a date, out of order, or more than 366 days apart',
    },
  },
];
