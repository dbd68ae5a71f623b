import { createHash, randomBytes } from 'node:crypto';

// Bearer tokens are random and stored only as their sha256: zu_ user API tokens,
// zd_ device tokens, zs_ portal sessions.

export function newToken(prefix: 'zu' | 'zd' | 'zs'): string {
  return `${prefix}_${randomBytes(24).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
