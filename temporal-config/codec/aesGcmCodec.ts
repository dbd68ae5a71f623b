import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { CodecKey } from './keys';

// Encrypts whole Temporal payloads (workflow and activity inputs and results, Update arguments,
// memo, the details operators read) with AES-256-GCM, so the Temporal server stores ciphertext.
// Each payload gets a fresh 12-byte IV; the key id travels in the metadata and is bound to the
// ciphertext as associated data. Payloads that are not encrypted pass through on decode: histories
// from before the codec and the recorded fixtures still read.

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const text = new TextEncoder();
const words = new TextDecoder();

/** What a payload looks like inside the ciphertext: its metadata and data, base64 in JSON. */
interface SealedPayload {
  metadata: Record<string, string>;
  data: string;
}

export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly current: CodecKey;
  private readonly byId: Map<string, Buffer>;

  /** `keys[0]` encrypts; every key decrypts. */
  constructor(keys: readonly CodecKey[]) {
    if (!keys[0]) throw new Error('The payload codec needs at least one key');
    this.current = keys[0];
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decrypt(payload));
  }

  private encrypt(payload: Payload): Payload {
    const { id, key } = this.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(text.encode(id));
    const sealed = cipher.update(JSON.stringify(seal(payload)), 'utf8');
    const ciphertext = Buffer.concat([iv, sealed, cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: {
        encoding: text.encode(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA]: text.encode(id),
      },
      data: new Uint8Array(ciphertext),
    };
  }

  private decrypt(payload: Payload): Payload {
    const encoding = payload.metadata?.encoding;
    if (!encoding || words.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
    const idBytes = payload.metadata?.[KEY_ID_METADATA];
    const id = idBytes ? words.decode(idBytes) : '';
    const key = this.byId.get(id);
    if (!key) throw new Error(`Payload encrypted with an unknown key id "${id}"`);
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) throw new Error('Encrypted payload is truncated');
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
    decipher.setAAD(text.encode(id));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    // final() throws when the ciphertext, the IV or the key id was altered.
    const plain = Buffer.concat([
      decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
      decipher.final(),
    ]);
    return unseal(JSON.parse(plain.toString('utf8')) as SealedPayload);
  }
}

function seal(payload: Payload): SealedPayload {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload.metadata ?? {})) {
    if (value) metadata[name] = Buffer.from(value).toString('base64');
  }
  return { metadata, data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64') };
}

function unseal(sealed: SealedPayload): Payload {
  const metadata: Record<string, Uint8Array> = {};
  for (const [name, value] of Object.entries(sealed.metadata)) {
    metadata[name] = new Uint8Array(Buffer.from(value, 'base64'));
  }
  return { metadata, data: new Uint8Array(Buffer.from(sealed.data, 'base64')) };
}
