import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Actor } from '../contracts/case';
import type { AccessRole } from '../contracts/tenancy';
import { apiTokenByHash, deviceByTokenHash } from '../store/lookups';
import { recordUse, type ApiTokenRecord } from '../store/apiTokens';
import { Customer, Session, User } from '../store/models';
import { looksLikeJwt, type AccessTokens } from './accessTokens';
import { hashToken } from '../store/tokens';
import { HttpError } from './errors';

// Who is calling: a person signed in with an emailed code (the portal's session, or its
// access token as a bearer), an integration token (zu_), a device, or the worker.

/** The portal session: httpOnly, so scripts in the page never see the token. */
/** The portal's access token (a short-lived JWT). */
export const SESSION_COOKIE = 'zen_session';
/** The portal's refresh token, sent only to /api/auth. */
export const REFRESH_COOKIE = 'zen_refresh';
// Opaque tokens and JWTs (three base64url parts).
const tokenShape = /^[\w.-]{10,2000}$/;

export interface Principal extends Actor {
  /** For devices: their public device id. */
  deviceId?: string;
  /** For portal sign-ins: the refresh session the access token came from. */
  sessionId?: string;
  /** For a customer's people: whether they are one of its admins. */
  admin?: boolean;
  /** For a partner's people: the partner, and the customers it serves (read per request). */
  partnerId?: string;
  customerIds?: string[];
  /**
   * How the caller proved who it is: `session` is a person signed in with an emailed code;
   * `token` an integration token, acting as its role for the person who made it. Principals
   * made elsewhere (a phone caller's) leave it out, and count as not signed in.
   */
  via?: 'session' | 'token' | 'device' | 'service';
  /** For integration tokens: the token's id. */
  tokenId?: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

export type Authenticate = (token: string) => Promise<Principal | undefined>;

/**
 * Portal sign-ins by their signed access token (and its session still open); API users and
 * devices by hashed token; the worker by the internal service token.
 */
export function createAuthenticate(
  internalToken: string | undefined,
  accessTokens: AccessTokens,
): Authenticate {
  const internalHash = internalToken ? hashToken(internalToken) : undefined;
  return async (token) => {
    if (looksLikeJwt(token)) {
      const claims = await accessTokens.verify(token);
      // Signed and unexpired, and its sign-in not ended: signing out takes effect at once.
      if (!claims || !(await sessionAlive(claims.sessionId))) return undefined;
      // The person as they are now: a changed role or a removed person takes effect at once.
      const user = await User.findById(claims.userId).lean();
      const principal = await userPrincipal(user);
      return principal && { ...principal, via: 'session', sessionId: claims.sessionId };
    }
    const tokenHash = hashToken(token);
    if (internalHash && timingSafeEqual(Buffer.from(tokenHash), Buffer.from(internalHash))) {
      return { id: 'worker', role: 'service', via: 'service' };
    }
    // The prefix says which collection holds the token: one lookup per request.
    switch (token.slice(0, 3)) {
      case 'zu_':
        return tokenPrincipal(tokenHash);
      case 'zd_':
        return devicePrincipal(tokenHash);
      default:
        return undefined;
    }
  };
}

async function sessionAlive(sessionId: string): Promise<boolean> {
  const session = await Session.findById(sessionId, { expiresAt: 1 }).lean();
  if (!session) return false;
  if (session.expiresAt > new Date()) return true;
  // No TTL indexes on FerretDB: an expired session is removed when it is next shown.
  await Session.deleteOne({ _id: sessionId });
  return false;
}

export interface UserRecord {
  _id: string;
  role: 'customer' | 'operator' | 'partner';
  customerId?: string | null;
  customerRole?: 'admin' | 'member' | null;
  partnerId?: string | null;
}

async function userPrincipal(user: UserRecord | null): Promise<Principal | undefined> {
  if (!user) return undefined;
  switch (user.role) {
    case 'operator':
      return { id: user._id, role: 'operator' };
    case 'customer':
      if (!user.customerId) return undefined;
      return {
        id: user._id,
        role: 'customer',
        customerId: user.customerId,
        // Accounts from before roles were each business's owner.
        admin: (user.customerRole ?? 'admin') === 'admin',
      };
    case 'partner':
      if (!user.partnerId) return undefined;
      return partnerPrincipal(user._id, user.partnerId);
  }
}

async function partnerPrincipal(id: string, partnerId: string): Promise<Principal> {
  const customers = await Customer.find({ partnerId }, { _id: 1 }).lean();
  return { id, role: 'partner', partnerId, customerIds: customers.map((c) => c._id) };
}

/** Why a token that exists does not work now; undefined while it does. */
function tokenProblem(token: ApiTokenRecord, now = new Date()): string | undefined {
  if (token.revokedAt) return 'This token was revoked. Ask an admin for a new one.';
  if (token.expiresAt <= now) {
    const day = token.expiresAt.toLocaleDateString('en-GB', {
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    });
    return `This token expired on ${day}. Ask an admin for a new one.`;
  }
  return undefined;
}

/** An integration token acts as its role, for the person who made it, within its scope. */
async function tokenPrincipal(tokenHash: string): Promise<Principal | undefined> {
  const token = await apiTokenByHash(tokenHash);
  if (!token || tokenProblem(token)) return undefined;
  // A lost or failed note of the use must not refuse the request (store/apiTokens.ts).
  await recordUse(token._id).catch(() => undefined);
  const via = { via: 'token', tokenId: token._id } as const;
  const id = token.createdBy;
  switch (token.role) {
    case 'operator':
      return { id, role: 'operator', ...via };
    case 'partner':
      return token.partnerId
        ? { ...(await partnerPrincipal(id, token.partnerId)), ...via }
        : undefined;
    case 'customer':
    case 'customer_admin':
      if (!token.customerId) return undefined;
      return {
        id,
        role: 'customer',
        customerId: token.customerId,
        admin: token.role === 'customer_admin',
        ...via,
      };
  }
}

/**
 * Why a bearer token was refused, for the 401: said only of integration tokens that exist
 * (expired, revoked); anything else gets the one answer an unknown token gets.
 */
export async function refusalOf(token: string): Promise<string> {
  const unknown = 'Unknown token, or the sign-in has ended';
  if (!token.startsWith('zu_')) return unknown;
  const found = await apiTokenByHash(hashToken(token));
  return (found && tokenProblem(found)) ?? unknown;
}

async function devicePrincipal(tokenHash: string): Promise<Principal | undefined> {
  const device = await deviceByTokenHash(tokenHash);
  if (!device) return undefined;
  return {
    id: device._id,
    role: 'device',
    customerId: device.customerId,
    deviceId: device.deviceId,
    via: 'device',
  };
}

function bearer(req: Request): string | undefined {
  const token = req.get('authorization')?.match(/^Bearer (\S+)$/)?.[1];
  return token && tokenShape.test(token) ? token : undefined;
}

/** The bearer header wins; otherwise the portal's session cookie. */
export function requestToken(req: Request): string | undefined {
  const cookie = (req.cookies as Record<string, unknown> | undefined)?.[SESSION_COOKIE];
  return (
    bearer(req) ?? (typeof cookie === 'string' && tokenShape.test(cookie) ? cookie : undefined)
  );
}

/** The session cookie from a raw Cookie header (socket.io handshakes have no cookie-parser). */
export function sessionCookie(header: string | undefined): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const [name, ...value] = part.trim().split('=');
    if (name !== SESSION_COOKIE) continue;
    const token = decodeURIComponent(value.join('='));
    return tokenShape.test(token) ? token : undefined;
  }
  return undefined;
}

/** Whether a route admitting `roles` admits this principal (customer_admin: a customer's admins). */
export function admits(roles: readonly AccessRole[], principal: Principal): boolean {
  if ((roles as readonly string[]).includes(principal.role)) return true;
  return (
    principal.role === 'customer' && principal.admin === true && roles.includes('customer_admin')
  );
}

/** Every route states the roles it admits. */
export function roleGuard(authenticate: Authenticate) {
  return (...roles: AccessRole[]) =>
    async (req: Request, _res: Response, next: NextFunction) => {
      const token = requestToken(req);
      if (!token) {
        return next(new HttpError(401, 'UNAUTHENTICATED', 'A bearer token or session is required'));
      }
      const principal = await authenticate(token);
      if (!principal) return next(new HttpError(401, 'UNAUTHENTICATED', await refusalOf(token)));
      if (!admits(roles, principal)) {
        const words = roles.map((r) => (r === 'customer_admin' ? "a customer's admin" : r));
        return next(new HttpError(403, 'FORBIDDEN', `This needs ${words.join(' or ')}`));
      }
      req.principal = principal;
      next();
    };
}

export type RequireRole = ReturnType<typeof roleGuard>;

/**
 * After requireRole, on what only a person signed in with an emailed code may do: creating or
 * revoking tokens, inviting or removing people, changing a subscription, exporting or erasing
 * personal data. An integration token (or a device, or the worker) is refused.
 */
export function assertSignedIn(principal: Principal | undefined): void {
  if (principal?.via === 'session') return;
  throw new HttpError(
    403,
    'SIGN_IN_REQUIRED',
    'This needs a person signed in to the portal with a code we email: an API token cannot do it',
  );
}

/** assertSignedIn as a route's middleware. */
export function requireSignedIn(req: Request, _res: Response, next: NextFunction): void {
  try {
    assertSignedIn(req.principal);
    next();
  } catch (err) {
    next(err);
  }
}
