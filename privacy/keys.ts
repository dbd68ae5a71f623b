import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { loadConfig } from '../config';
import { decrypt, encrypt } from './cipher';

// Data keys, one per subject whose data must be erasable on its own: a customer, a person of
// it, a caller's number. Each is random, stored only wrapped under the master key
// (PII_MASTER_KEY), and erased by dropping its wrapped form: whatever it sealed, in the audit
// chain, the case documents or Temporal's histories, can then never be read again.

/** Whose data a key seals; `customerId` is the business the subject belongs to. */
export interface Subject {
  id: string;
  customerId: string;
}

export const customerSubject = (customerId: string): Subject => ({
  id: `customer:${customerId}`,
  customerId,
});

export const personSubject = (customerId: string, userId: string): Subject => ({
  id: `person:${userId}`,
  customerId,
});

/** A caller is known by a keyed hash of their number, never the number itself. */
export function callerHash(customerId: string, phoneNumber: string): string {
  const digits = phoneNumber.replace(/[^\d+]/g, '');
  return createHmac('sha256', derived('caller-id'))
    .update(`${customerId}|${digits}`)
    .digest('base64url')
    .slice(0, 22);
}

export const callerSubject = (customerId: string, phoneNumber: string): Subject => ({
  id: `caller:${callerHash(customerId, phoneNumber)}`,
  customerId,
});

/**
 * How long another process may still use a key it read before the key was erased: every
 * process re-reads its cached keys after this long. The erasing process forgets at once.
 */
export const KEY_CACHE_MS = 30_000;

const subjectKeySchema = new Schema(
  {
    _id: { type: String, required: true },
    customerId: { type: String, required: true, index: true },
    /** iv | tag | ciphertext of the data key under the master key, base64; gone when erased. */
    wrapped: String,
    /** A caller's number, encrypted under its own key: "number ending 1234" is read from it. */
    label: String,
    erasedAt: Date,
  },
  { timestamps: true, collection: 'subject_keys' },
);
export const SubjectKey = mongoose.model('SubjectKey', subjectKeySchema);

export class ErasedSubjectError extends Error {
  constructor(subject: string) {
    super(`The data of ${subject} was erased; nothing new is kept for it`);
  }
}

let master: Buffer | undefined;
function masterKey(): Buffer {
  master ??= loadConfig().privacy.masterKey;
  return master;
}

/** A key for one purpose derived from the master key, so no two purposes share one. */
function derived(purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey(), Buffer.alloc(0), purpose, 32));
}

const cache = new Map<string, { key: Buffer; until: number }>();

function cached(subject: string): Buffer | undefined {
  const hit = cache.get(subject);
  if (hit && hit.until > Date.now()) return hit.key;
  cache.delete(subject);
  return undefined;
}

function remember(subject: string, key: Buffer): Buffer {
  cache.set(subject, { key, until: Date.now() + KEY_CACHE_MS });
  return key;
}

function wrap(subject: string, key: Buffer): string {
  return encrypt(masterKey(), subject, key).toString('base64');
}

function unwrap(subject: string, wrapped: string): Buffer {
  return decrypt(masterKey(), subject, Buffer.from(wrapped, 'base64'));
}

/** The subject's key, or undefined when it was erased or never made. */
export async function readKey(subject: string): Promise<Buffer | undefined> {
  const hit = cached(subject);
  if (hit) return hit;
  const doc = await SubjectKey.findById(subject, { wrapped: 1 }).lean();
  return doc?.wrapped ? remember(subject, unwrap(subject, doc.wrapped)) : undefined;
}

/**
 * The subject's key, made the first time it is needed: the insert with the subject as `_id`
 * wins once, and everyone else reads the winner's. An erased subject gets no new key.
 */
export async function keyFor(subject: Subject, label?: string): Promise<Buffer> {
  const hit = cached(subject.id);
  if (hit) return hit;
  const existing = await SubjectKey.findById(subject.id, { wrapped: 1, erasedAt: 1 }).lean();
  if (existing) return usable(subject.id, existing);
  const key = randomBytes(32);
  try {
    await SubjectKey.collection.insertOne({
      _id: subject.id as never,
      customerId: subject.customerId,
      wrapped: wrap(subject.id, key),
      ...(label && {
        label: encrypt(key, `${subject.id}#label`, Buffer.from(label)).toString('base64'),
      }),
      createdAt: new Date(),
    });
    return remember(subject.id, key);
  } catch (err) {
    // 11000, or (FerretDB) an internal error once the document exists: another writer won.
    const winner = await SubjectKey.findById(subject.id, { wrapped: 1, erasedAt: 1 }).lean();
    if (!winner) throw err;
    return usable(subject.id, winner);
  }
}

function usable(subject: string, doc: { wrapped?: string | null }): Buffer {
  if (!doc.wrapped) throw new ErasedSubjectError(subject);
  return remember(subject, unwrap(subject, doc.wrapped));
}

/**
 * What the subject was made with (a caller's number), readable while its key lives: written
 * with the key, so it needs no later update, and gone with it.
 */
export async function subjectLabel(subject: string): Promise<string | undefined> {
  const doc = await SubjectKey.findById(subject, { label: 1, wrapped: 1 }).lean();
  if (!doc?.wrapped || !doc.label) return undefined;
  const key = await readKey(subject);
  if (!key) return undefined;
  return decrypt(key, `${subject}#label`, Buffer.from(doc.label, 'base64')).toString();
}

/**
 * Erases keys for good: the wrapped key and label are dropped, a tombstone stays so the
 * subject never gets a new key. This process forgets them at once, others within
 * KEY_CACHE_MS. Returns the subjects erased.
 */
export async function eraseKeys(
  customerId: string,
  subjects: readonly string[],
): Promise<string[]> {
  for (const subject of subjects) cache.delete(subject);
  if (!subjects.length) return [];
  const erasedAt = new Date();
  for (const subject of subjects) {
    // Upsert: a subject with no key yet is closed too, so nothing is sealed for it later.
    await SubjectKey.updateOne(
      { _id: subject },
      {
        $set: { erasedAt },
        $unset: { wrapped: 1, label: 1 },
        $setOnInsert: { customerId },
      },
      { upsert: true },
    );
    cache.delete(subject);
  }
  return [...subjects];
}

/** Every live subject of a customer: its own, its people's, its callers'. */
export async function subjectsOfCustomer(customerId: string): Promise<string[]> {
  const docs = await SubjectKey.find({ customerId }, { _id: 1 }).lean();
  return [...new Set([customerSubject(customerId).id, ...docs.map((d) => d._id)])];
}
