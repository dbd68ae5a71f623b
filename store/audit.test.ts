import mongoose from 'mongoose';
import { freshMongoUrl } from '../test/support/env';
import { appendAudit, verifyChain, type AuditRecord } from './audit';
import { connectStore, disconnectStore } from './connection';
import { AuditEntry } from './models';

// Appends are retried by Temporal: a retry of the same entry writes nothing
// twice, a different entry under a taken place is refused, and the chain holds.

const entry = (caseId: string, seq: number, actionType = `step_${seq}`): AuditRecord => ({
  caseId,
  seq,
  actionType,
  actor: { id: 'worker', role: 'service' },
  channel: 'portal',
  actionDetails: { seq },
  userApproved: false,
  executedAt: new Date(1_700_000_000_000 + seq * 1000),
});

describe('audit appends', () => {
  beforeAll(() => connectStore(freshMongoUrl('audit')));
  afterAll(() => disconnectStore());

  it('a retried append finds its entry and writes nothing twice', async () => {
    const first = await appendAudit(entry('case-retry', 1));
    const second = await appendAudit(entry('case-retry', 2));

    expect(await appendAudit(entry('case-retry', 2))).toBe(second);
    expect(await appendAudit(entry('case-retry', 1))).toBe(first);
    expect(await AuditEntry.countDocuments({ caseId: 'case-retry' })).toBe(2);
    expect(await verifyChain('case-retry')).toMatchObject({ entries: 2, valid: true });
  });

  it('stores an entry whose details leave a field undefined as its hash covers it', async () => {
    const withGap = { ...entry('case-gap-field', 1), actionDetails: { note: undefined, seq: 1 } };
    await appendAudit(withGap);

    const stored = await AuditEntry.findById('case-gap-field:1').lean();
    expect(stored?.actionDetails).toEqual({ seq: 1 });
    expect(await verifyChain('case-gap-field')).toMatchObject({ entries: 1, valid: true });
  });

  it('refuses another entry in a place already taken', async () => {
    await appendAudit(entry('case-clash', 1));
    await expect(appendAudit(entry('case-clash', 1, 'something_else'))).rejects.toThrow(
      'audit entry case-clash:1 exists with other content',
    );
    expect(await AuditEntry.countDocuments({ caseId: 'case-clash' })).toBe(1);
  });

  it('appends after a known hash without reading the entry before, and the chain verifies', async () => {
    const methods: string[] = [];
    mongoose.set('debug', (collection: string, method: string) => {
      if (collection === 'audit_log') methods.push(method);
    });
    const hashes = [await appendAudit(entry('case-known', 1))];
    try {
      hashes.push(await appendAudit(entry('case-known', 2), hashes[0]));
      hashes.push(await appendAudit(entry('case-known', 3), hashes[1]));
    } finally {
      mongoose.set('debug', false);
    }

    expect(methods).toEqual(['insertOne', 'insertOne', 'insertOne']);
    const stored = await AuditEntry.find({ caseId: 'case-known' }).sort({ seq: 1 }).lean();
    expect(stored.map((e) => e.hash)).toEqual(hashes);
    expect(await verifyChain('case-known')).toMatchObject({ entries: 3, valid: true });
  });

  it("an entry appended after a wrong hash breaks the chain's verification", async () => {
    const first = await appendAudit(entry('case-wrong', 1));
    await appendAudit(entry('case-wrong', 2), first.replace(/^./, first[0] === '0' ? '1' : '0'));

    expect(await verifyChain('case-wrong')).toMatchObject({ valid: false, brokenAt: { seq: 2 } });
  });

  it('refuses an entry whose predecessor is missing', async () => {
    await expect(appendAudit(entry('case-gap', 2))).rejects.toThrow(
      'audit entry 1 of case case-gap is missing',
    );
  });
});
