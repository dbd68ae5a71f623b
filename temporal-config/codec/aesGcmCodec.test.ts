import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { loadConfig } from '../../config';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from './aesGcmCodec';
import { INSECURE_DEVELOPMENT_CODEC_KEY, parseCodecKeys, type CodecKey } from './keys';

// The payload codec on its own: encryption, pass-through of old payloads, key rotation, and the
// keys' setting.

const key = (id: string): CodecKey => ({ id, key: randomBytes(32) });
const text = (payload: Payload) => Buffer.from(payload.data ?? []).toString('utf8');
const meta = (payload: Payload, name: string) =>
  Buffer.from(payload.metadata?.[name] ?? []).toString('utf8');
const input = { description: 'Printer offline since the move', deviceId: 'pi-lobby-7' };

describe('AesGcmPayloadCodec', () => {
  it('encrypts a payload so none of its values are readable, and decrypts it back', async () => {
    const codec = new AesGcmPayloadCodec([key('k1')]);
    const plain = defaultPayloadConverter.toPayload(input);
    const [sealed] = await codec.encode([plain]);
    expect(meta(sealed!, 'encoding')).toBe(ENCRYPTED_ENCODING);
    expect(meta(sealed!, KEY_ID_METADATA)).toBe('k1');
    expect(text(sealed!)).not.toContain('Printer offline');
    expect(text(sealed!)).not.toContain('pi-lobby-7');
    expect(text(sealed!)).not.toContain('json/plain');
    const [back] = await codec.decode([sealed!]);
    expect(defaultPayloadConverter.fromPayload(back!)).toEqual(input);
    expect(meta(back!, 'encoding')).toBe('json/plain');
  });

  it('uses a fresh IV for every payload', async () => {
    const codec = new AesGcmPayloadCodec([key('k1')]);
    const plain = defaultPayloadConverter.toPayload(input);
    const [a, b] = await codec.encode([plain, plain]);
    expect(Buffer.from(a!.data!).subarray(0, 12)).not.toEqual(
      Buffer.from(b!.data!).subarray(0, 12),
    );
    expect(Buffer.from(a!.data!)).not.toEqual(Buffer.from(b!.data!));
  });

  it('passes payloads that are not encrypted through (old histories, recorded fixtures)', async () => {
    const codec = new AesGcmPayloadCodec([key('k1')]);
    const plain = defaultPayloadConverter.toPayload(input);
    const [same] = await codec.decode([plain]);
    expect(same).toBe(plain);
  });

  it('rotates keys: the first key encrypts, an older key id still decrypts', async () => {
    const old = key('2026-01');
    const fresh = key('2026-12');
    const before = new AesGcmPayloadCodec([old]);
    const [oldPayload] = await before.encode([defaultPayloadConverter.toPayload(input)]);

    const rotated = new AesGcmPayloadCodec([fresh, old]);
    const [decoded] = await rotated.decode([oldPayload!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(input);
    const [newPayload] = await rotated.encode([defaultPayloadConverter.toPayload(input)]);
    expect(meta(newPayload!, KEY_ID_METADATA)).toBe('2026-12');
    // The new payload needs the new key: the old codec cannot read it.
    await expect(before.decode([newPayload!])).rejects.toThrow('unknown key id "2026-12"');
    // Once the old key is dropped, its payloads no longer decode.
    await expect(new AesGcmPayloadCodec([fresh]).decode([oldPayload!])).rejects.toThrow(
      'unknown key id "2026-01"',
    );
  });

  it('refuses a payload whose ciphertext or key id was altered', async () => {
    const k1 = key('k1');
    const k2 = { id: 'k2', key: k1.key };
    const codec = new AesGcmPayloadCodec([k1, k2]);
    const [sealed] = await codec.encode([defaultPayloadConverter.toPayload(input)]);
    const flipped = Buffer.from(sealed!.data!);
    flipped[20]! ^= 1;
    await expect(codec.decode([{ ...sealed!, data: flipped }])).rejects.toThrow();
    // Same key bytes under another id: the id is bound to the ciphertext.
    const relabelled = {
      ...sealed!,
      metadata: { ...sealed!.metadata, [KEY_ID_METADATA]: Buffer.from('k2') },
    };
    await expect(codec.decode([relabelled])).rejects.toThrow();
  });
});

describe('TEMPORAL_CODEC_KEYS', () => {
  const b64 = () => randomBytes(32).toString('base64');

  it('parses id:base64key entries in order, the first encrypting', () => {
    const keys = parseCodecKeys(`new:${b64()}, old:${b64()}`);
    expect(keys.map((k) => k.id)).toEqual(['new', 'old']);
    expect(keys.every((k) => k.key.length === 32)).toBe(true);
  });

  it.each([
    ['', 'no key given'],
    ['nokey', 'needs the form id:base64key'],
    [`:${Buffer.alloc(32).toString('base64')}`, 'needs the form id:base64key'],
    ['k1:c2hvcnQ=', 'must be 32 bytes'],
    [
      `k1:${Buffer.alloc(32).toString('base64')},k1:${Buffer.alloc(32).toString('base64')}`,
      'twice',
    ],
  ])('refuses %j (%s)', (setting, message) => {
    expect(() => parseCodecKeys(setting)).toThrow(message);
  });

  it('is required in production, and never echoes a key in its error', () => {
    // Production's other required key given, so this one is what is missing.
    const piiKey = { PII_MASTER_KEY: b64() };
    expect(() => loadConfig({ NODE_ENV: 'production', ...piiKey })).toThrow(
      'TEMPORAL_CODEC_KEYS: required in production',
    );
    const secret = Buffer.alloc(31, 7).toString('base64');
    let message = '';
    try {
      loadConfig({ TEMPORAL_CODEC_KEYS: `k1:${secret}` });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('must be 32 bytes');
    expect(message).not.toContain(secret);
  });

  it('falls back to the loudly named development key outside production', () => {
    expect(loadConfig({}).temporal.codecKeys).toEqual([INSECURE_DEVELOPMENT_CODEC_KEY]);
    const given = `prod-1:${b64()}`;
    expect(
      loadConfig({ NODE_ENV: 'production', TEMPORAL_CODEC_KEYS: given, PII_MASTER_KEY: b64() })
        .temporal.codecKeys[0]!.id,
    ).toBe('prod-1');
  });
});
