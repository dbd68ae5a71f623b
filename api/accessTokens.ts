import { randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import type { Role } from '../contracts/case';

// Portal sign-ins get short-lived access tokens (signed JWTs, at most 15
// minutes) checked without a database read, and a refresh token (an opaque
// session, stored hashed) that buys the next one. Signing out or losing the
// refresh token ends the sign-in within one access token's lifetime.

const ISSUER = 'zen-support';
const AUDIENCE = 'zen-support-api';
const MAX_TTL_MS = 15 * 60_000;

export interface AccessClaims {
  userId: string;
  role: Extract<Role, 'customer' | 'operator' | 'partner'>;
  customerId?: string;
  /** The refresh session this access token came from. */
  sessionId: string;
}

export interface AccessTokens {
  issue(claims: AccessClaims): Promise<{ token: string; expiresAt: Date }>;
  /** The claims of a valid, unexpired token of ours; undefined for anything else. */
  verify(token: string): Promise<AccessClaims | undefined>;
}

export const looksLikeJwt = (token: string) => token.split('.').length === 3;

export function createAccessTokens(
  secret: string = randomBytes(32).toString('base64url'),
  ttlMs = MAX_TTL_MS,
): AccessTokens {
  if (ttlMs > MAX_TTL_MS) throw new Error('Access tokens live 15 minutes at most');
  if (secret.length < 32) throw new Error('JWT_SECRET must be at least 32 characters');
  const key = new TextEncoder().encode(secret);
  return {
    async issue(claims) {
      const expiresAt = new Date(Date.now() + ttlMs);
      const token = await new SignJWT({
        role: claims.role,
        cid: claims.customerId,
        sid: claims.sessionId,
      })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(claims.userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
        .sign(key);
      return { token, expiresAt };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, {
          issuer: ISSUER,
          audience: AUDIENCE,
          algorithms: ['HS256'],
        });
        const { sub, role, cid, sid } = payload as Record<string, unknown>;
        if (typeof sub !== 'string' || typeof sid !== 'string') return undefined;
        if (role !== 'customer' && role !== 'operator' && role !== 'partner') return undefined;
        return {
          userId: sub,
          role,
          customerId: typeof cid === 'string' ? cid : undefined,
          sessionId: sid,
        };
      } catch {
        return undefined;
      }
    },
  };
}
