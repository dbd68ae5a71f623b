import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from '../observability/logger';
import { httpDuration } from '../observability/metrics';

// One log line and one latency sample per request. Case routes carry the case
// id in the path (or `sessionId` in the approval body): it goes on the line so
// the worker's and the agent's lines about the same case can be joined to it.

const casePath = /^\/api\/(?:cases|internal\/cases)\/([^/?]+)/;

export function observeRequests(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const requestId = req.get('x-request-id')?.slice(0, 100) || randomUUID();
    res.setHeader('x-request-id', requestId);
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // The pattern, not the path: ids in paths would make a series per case.
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      httpDuration.observe({ method: req.method, route, status: res.statusCode }, seconds);
      const body = req.body as { sessionId?: unknown } | undefined;
      const caseId =
        req.originalUrl.match(casePath)?.[1] ??
        (typeof body?.sessionId === 'string' ? body.sessionId : undefined);
      const level = res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info';
      logger[level](
        {
          requestId,
          method: req.method,
          path: req.originalUrl.split('?')[0],
          route,
          status: res.statusCode,
          ms: Math.round(seconds * 1000),
          caseId: caseId ? decodeURIComponent(caseId) : undefined,
          role: req.principal?.role,
          // Routes that learn more (the workflow id of an opened case) add it here.
          ...(res.locals.log as Record<string, unknown> | undefined),
        },
        'request',
      );
    });
    next();
  };
}
