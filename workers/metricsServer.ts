import type { Server } from 'node:http';
import express from 'express';
import { metricsGuard, metricsHandler } from '../observability/metrics';

// The worker's /metrics: our case metrics followed by the Temporal SDK's own
// (polls, task latencies, slots), which the SDK serves on a loopback port.

export function serveWorkerMetrics(options: {
  port: number;
  host: string;
  sdkMetricsUrl: string;
  token?: string;
}): Promise<Server> {
  const app = express();
  app.disable('x-powered-by');
  app.get(
    '/metrics',
    metricsGuard(options.token),
    metricsHandler(async () => {
      const res = await fetch(options.sdkMetricsUrl, { signal: AbortSignal.timeout(2000) });
      return res.ok ? res.text() : '';
    }),
  );
  return new Promise((resolve, reject) => {
    const server = app.listen(options.port, options.host, () => resolve(server));
    server.once('error', reject);
  });
}
