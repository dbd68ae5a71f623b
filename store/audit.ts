import { createHash } from 'node:crypto';
import type { Actor } from '../contracts/case';
import { hasPlainPersonalDetails, sealPersonalDetails } from '../privacy/personal';
import { AuditEntry, Case, driverCollection } from './models';

// The append-only audit log of a case. Each entry carries the hash of the one
// before it, so changing or removing an entry breaks every hash after it.

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditRecord {
  caseId: string;
  seq: number;
  actionType: string;
  actor: Actor;
  channel: string;
  actionDetails: Record<string, unknown>;
  userApproved: boolean;
  executedAt: Date;
}

/** JSON with sorted keys, so the same entry always hashes the same. */
function canonical(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function hashEntry(prevHash: string, record: AuditRecord): string {
  const { caseId, seq, actionType, actor, channel, actionDetails, userApproved, executedAt } =
    record;
  const body = canonical({
    caseId,
    seq,
    actionType,
    actor,
    channel,
    actionDetails,
    userApproved,
    executedAt,
  });
  return createHash('sha256').update(prevHash).update(body).digest('hex');
}

/**
 * Appends entry `seq` after entry `seq - 1` and returns its hash. A retry of the
 * same append finds its entry already there and succeeds without writing twice.
 * `prevHash`, when the caller has it (the hash its previous append returned),
 * saves reading entry `seq - 1`.
 */
export async function appendAudit(
  plainRecord: AuditRecord,
  knownPrevHash?: string,
): Promise<string> {
  const record = await withPersonalDetailsSealed(plainRecord);
  const prevHash =
    record.seq === 1
      ? GENESIS_HASH
      : (knownPrevHash ?? (await storedHash(record.caseId, record.seq - 1)));
  const hash = hashEntry(prevHash, record);
  const _id = `${record.caseId}:${record.seq}`;
  try {
    // Through the driver (store/models.ts driverCollection): every case step appends
    // one. The record is typed; undefined fields are left out, as the hash leaves them.
    await driverCollection(AuditEntry).insertOne(
      { _id, ...record, prevHash, hash },
      { ignoreUndefined: true },
    );
  } catch (err) {
    // Written first, read only when that failed: a retry is rare, every append is not.
    // (FerretDB does not always report a taken _id as a duplicate key.)
    const existing = await AuditEntry.findById(_id).lean();
    if (!existing) throw err;
    if (existing.hash !== hash) throw new Error(`audit entry ${_id} exists with other content`);
  }
  return hash;
}

/**
 * Personal words and numbers in the details are sealed before the hash covers them (most
 * come sealed already, from the API): the chain verifies over ciphertext, before and after
 * the key is erased. Sealed the same on a retry (the entry's id is the context).
 */
async function withPersonalDetailsSealed(record: AuditRecord): Promise<AuditRecord> {
  if (!hasPlainPersonalDetails(record.actionDetails)) return record;
  const customerId =
    record.actor.customerId ??
    (await Case.findById(record.caseId, { customerId: 1 }).lean())?.customerId;
  if (!customerId) throw new Error(`audit entry of case ${record.caseId}: whose personal data?`);
  const actionDetails = await sealPersonalDetails(
    record.actionDetails,
    customerId,
    `${record.caseId}:${record.seq}`,
  );
  return { ...record, actionDetails };
}

async function storedHash(caseId: string, seq: number): Promise<string> {
  const entry = await AuditEntry.findById(`${caseId}:${seq}`, { hash: 1 }).lean();
  if (!entry) throw new Error(`audit entry ${seq} of case ${caseId} is missing`);
  return entry.hash;
}

export interface ChainVerdict {
  caseId: string;
  entries: number;
  valid: boolean;
  /** The first entry that does not verify, and why. */
  brokenAt?: { seq: number; reason: string };
}

export async function verifyChain(caseId: string): Promise<ChainVerdict> {
  const entries = await AuditEntry.find({ caseId }).sort({ seq: 1 }).lean();
  let prevHash = GENESIS_HASH;
  for (const [index, entry] of entries.entries()) {
    const seq = index + 1;
    const fail = (reason: string): ChainVerdict => ({
      caseId,
      entries: entries.length,
      valid: false,
      brokenAt: { seq, reason },
    });
    if (entry.seq !== seq) return fail(`entry ${seq} is missing`);
    if (entry.prevHash !== prevHash) return fail('it does not point at the entry before it');
    const expected = hashEntry(prevHash, {
      caseId: entry.caseId,
      seq: entry.seq,
      actionType: entry.actionType,
      actor: entry.actor as Actor,
      channel: entry.channel,
      actionDetails: entry.actionDetails as Record<string, unknown>,
      userApproved: entry.userApproved ?? false,
      executedAt: entry.executedAt,
    });
    if (entry.hash !== expected) return fail('its content does not match its hash');
    prevHash = entry.hash;
  }
  return { caseId, entries: entries.length, valid: entries.length > 0 };
}
