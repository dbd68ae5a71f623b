import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Router, type Request } from 'express';
import { rateLimit } from 'express-rate-limit';
import {
  SpeedTestQuery,
  maxSpeedTestBytes,
  progressMs,
  speedTestPath,
  type SpeedTestProgress,
} from '../../contracts/speedTest';
import type { RequireRole } from '../auth';

// The cloud end of the box's speed test (contracts/speedTest.ts): GET streams
// N bytes, POST takes up to N bytes and reports what arrived. The handlers are
// plain Node ones so the lab's internet web server serves the very same code.
// Devices only, each within its own budget, so no box can be used to load the cloud.

/** Filler: random, so nothing on the way can compress it into a faster line than it is. */
const filler = randomBytes(64 * 1024);

/** At most this many speed-test requests per device in `speedTestWindowMs` (each check makes two). */
export const speedTestsPerWindow = 12;
export const speedTestWindowMs = 10 * 60_000;

function bytesAsked(req: IncomingMessage, res: ServerResponse): number | undefined {
  const query = Object.fromEntries(new URL(req.url ?? '/', 'http://speed.test').searchParams);
  const parsed = SpeedTestQuery.safeParse(query);
  if (parsed.success) return parsed.data.bytes;
  res.writeHead(400, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      error: `bytes must be a whole number from 1 to ${maxSpeedTestBytes}, and nothing else`,
      code: 'BAD_REQUEST',
    }),
  );
  return undefined;
}

/** GET: N bytes of filler, written as fast as the connection takes them. */
export function sendBytes(req: IncomingMessage, res: ServerResponse): void {
  const total = bytesAsked(req, res);
  if (total === undefined) return;
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': String(total),
    'cache-control': 'no-store',
  });
  let left = total;
  const pump = () => {
    while (left > 0 && !res.destroyed) {
      const chunk = left >= filler.length ? filler : filler.subarray(0, left);
      left -= chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    if (!res.destroyed) res.end();
  };
  pump();
}

/** POST: reads and discards up to N bytes, reporting progress while they arrive. */
export function receiveBytes(req: IncomingMessage, res: ServerResponse): void {
  const cap = bytesAsked(req, res);
  if (cap === undefined) return;
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
  res.flushHeaders();
  let bytes = 0;
  let firstAt: number | undefined;
  const report = (done?: boolean) => {
    const line: SpeedTestProgress = {
      bytes,
      ms: firstAt === undefined ? 0 : Math.round((performance.now() - firstAt) * 10) / 10,
      ...(done && { done }),
    };
    res.write(`${JSON.stringify(line)}\n`);
  };
  const timer = setInterval(() => report(), progressMs);
  const finish = () => {
    clearInterval(timer);
    if (res.writableEnded || res.destroyed) return;
    report(true);
    res.end();
  };
  req.on('data', (chunk: Buffer) => {
    firstAt ??= performance.now();
    bytes = Math.min(cap, bytes + chunk.length);
    if (bytes >= cap) {
      // Beyond what was announced: the rest is refused, and the connection closed.
      finish();
      req.destroy();
    }
  });
  req.on('end', finish);
  req.on('close', () => clearInterval(timer));
  req.on('error', () => clearInterval(timer));
}

/** Both methods on one path, for a plain Node server (the lab's web server). */
export function handleSpeedTest(req: IncomingMessage, res: ServerResponse): void {
  if (req.method === 'GET') return sendBytes(req, res);
  if (req.method === 'POST') return receiveBytes(req, res);
  res.writeHead(405, { allow: 'GET, POST' });
  res.end();
}

/** The API's route: device token, a budget per device, then the handlers. Mount before express.json. */
export function speedTestRouter(requireRole: RequireRole): Router {
  const router = Router();
  const perDevice = rateLimit({
    windowMs: speedTestWindowMs,
    limit: speedTestsPerWindow,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req: Request) => `device:${req.principal!.id}`,
    handler: (_req, res) => {
      res.status(429).json({
        error: `At most ${speedTestsPerWindow} speed tests per device every ${speedTestWindowMs / 60_000} minutes`,
        code: 'RATE_LIMITED',
      });
    },
  });
  const path = speedTestPath.replace(/^\/api/, '');
  router.get(path, requireRole('device'), perDevice, (req, res) => sendBytes(req, res));
  router.post(path, requireRole('device'), perDevice, (req, res) => receiveBytes(req, res));
  return router;
}
