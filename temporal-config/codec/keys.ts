import { createHash } from 'node:crypto';

// The payload codec's keys, from TEMPORAL_CODEC_KEYS: `id:base64key,id2:base64key`, each key
// 32 bytes (AES-256). The first key encrypts new payloads; every listed key decrypts, so a key
// is rotated by putting a new one first and keeping the old ones until their histories are gone.

export interface CodecKey {
  /** Written into each payload's metadata (`encryption-key-id`), so any listed key can decrypt. */
  id: string;
  key: Buffer;
}

const keyId = /^[\w.-]{1,64}$/;

/** Parses the setting; throws with a message that names the setting and never the key bytes. */
export function parseCodecKeys(setting: string): CodecKey[] {
  const entries = setting
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new Error('TEMPORAL_CODEC_KEYS: no key given');
  const keys = entries.map((entry, index) => {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    if (!keyId.test(id)) {
      throw new Error(
        `TEMPORAL_CODEC_KEYS: entry ${index + 1} needs the form id:base64key (id of letters, digits, . _ -)`,
      );
    }
    const key = Buffer.from(entry.slice(colon + 1), 'base64');
    if (key.length !== 32) {
      throw new Error(`TEMPORAL_CODEC_KEYS: key "${id}" must be 32 bytes of base64`);
    }
    return { id, key };
  });
  const ids = new Set(keys.map((k) => k.id));
  if (ids.size !== keys.length) throw new Error('TEMPORAL_CODEC_KEYS: a key id is listed twice');
  return keys;
}

/**
 * For development and tests only: a key anyone can derive from this source file. Production
 * refuses to start without TEMPORAL_CODEC_KEYS (config/). The recorded replay fixtures use it.
 */
export const INSECURE_DEVELOPMENT_CODEC_KEY: CodecKey = {
  id: 'insecure-development-key',
  key: createHash('sha256')
    .update('zen development payload key: PUBLIC, NOT SECRET, never for production')
    .digest(),
};
