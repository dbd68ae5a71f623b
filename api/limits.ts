import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { waitWords } from './identity/throttle';

// Per-minute request budgets on the doors anyone can knock on: sign-in and the emailed
// links (by address), refused phone webhooks (by address) and the device endpoints (by
// device token, so many boxes behind one office router do not share a budget).

export interface RateLimits {
  signInPerMinute: number;
  webhookPerMinute: number;
  devicePerMinute: number;
}

function limiter(
  limit: number,
  key: (req: Request) => string,
  onlyRefused = false,
): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit,
    skipSuccessfulRequests: onlyRefused,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: key,
    // The library has set Retry-After from this client's window: the message says the same.
    handler: (_req, res) => {
      const seconds = Math.max(1, Number(res.getHeader('retry-after')) || 60);
      res.status(429).json({
        error: `Too many requests. Please wait ${waitWords(seconds)}, then try again.`,
        code: 'RATE_LIMITED',
      });
    },
  });
}

const byAddress = (req: Request) => ipKeyGenerator(req.ip ?? 'unknown');

/** The bearer token's hash: the budget follows the device, not its address. */
function byToken(req: Request): string {
  const header = req.get('authorization');
  if (!header) return byAddress(req);
  return createHash('sha256').update(header).digest('base64url').slice(0, 22);
}

export function rateLimiters(limits: RateLimits) {
  return {
    signIn: limiter(limits.signInPerMinute, byAddress),
    // Telnyx sends every call's events from a few addresses: only refused (unsigned,
    // replayed) requests count, so a busy day of real calls is never throttled.
    webhook: limiter(limits.webhookPerMinute, byAddress, true),
    device: limiter(limits.devicePerMinute, byToken),
    // Links from emails that work without sign-in (rating a case): a budget of their own.
    publicLink: limiter(limits.signInPerMinute, byAddress),
  };
}
