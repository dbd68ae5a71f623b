import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

// AES-256-GCM, one layout for everything the privacy layer encrypts: iv (12) | tag (16) | ct.

/**
 * Encrypts `plain` under `key`, bound to `aad` (what it belongs to, so a ciphertext moved to
 * another place does not decrypt). With `context` the iv is derived from it and the text:
 * the same text in the same context seals the same (a retried write stays identical), and
 * different contexts never share an iv.
 */
export function encrypt(key: Buffer, aad: string, plain: Buffer, context?: string): Buffer {
  const iv =
    context === undefined
      ? randomBytes(12)
      : createHmac('sha256', key)
          .update(context)
          .update('\0')
          .update(plain)
          .digest()
          .subarray(0, 12);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(aad));
  const ct = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ct]);
}

/** Throws when the bytes were changed or belong to another key or place. */
export function decrypt(key: Buffer, aad: string, sealed: Buffer): Buffer {
  if (sealed.length < 28) throw new Error('sealed value too short');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12))
    .setAAD(Buffer.from(aad))
    .setAuthTag(sealed.subarray(12, 28));
  return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
}
