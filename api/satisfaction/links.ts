import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { loadConfig } from '../../config';

// The rating link in a closing email: a token for one case, signed (HMAC-SHA256 over the
// case id and the expiry) and good for 30 days, so the customer may answer without signing
// in. The worker makes the links and the API checks them, so both derive the same key: from
// JWT_SECRET, or else the internal token both share (npm start), or else, in a single
// process (tests), a key of its own.

const lifetimeMs = 30 * 24 * 3_600_000;
const tokenShape = /^([\w-]{1,100})\.(\d{1,12})\.([\w-]{43})$/;

let key: Buffer | undefined;

function signingKey(): Buffer {
  if (key) return key;
  const config = loadConfig();
  const root = config.jwtSecret ?? config.internalToken ?? randomBytes(32).toString('base64url');
  // A key of its own: a rating token can never pass for an access token, nor the reverse.
  key = createHmac('sha256', root).update('zen-support rating links v1').digest();
  return key;
}

function signature(caseId: string, expires: number): Buffer {
  return createHmac('sha256', signingKey()).update(`${caseId}.${expires}`).digest();
}

export function ratingToken(caseId: string, now = Date.now()): string {
  const expires = Math.floor((now + lifetimeMs) / 1000);
  return `${caseId}.${expires}.${signature(caseId, expires).toString('base64url')}`;
}

/** The case a token is for, when it is ours and unexpired; undefined for anything else. */
export function caseOfRatingToken(token: string, now = Date.now()): string | undefined {
  const match = tokenShape.exec(token);
  if (!match) return undefined;
  const [, caseId, expiresText, given] = match;
  const expires = Number(expiresText);
  const expected = signature(caseId!, expires);
  const actual = Buffer.from(given!, 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return undefined;
  return expires * 1000 > now ? caseId : undefined;
}

/** `${portalUrl}/rate/<token>`, with `?score=N` when the email's link chose a score. */
export function ratingLink(
  caseId: string,
  score?: number,
  portalUrl = loadConfig().portal.url,
): string {
  const link = `${portalUrl}/rate/${ratingToken(caseId)}`;
  return score === undefined ? link : `${link}?score=${score}`;
}
