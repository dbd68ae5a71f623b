import { appendAudit, verifyChain, type AuditRecord } from '../../store/audit';
import { connectStore, disconnectStore } from '../../store/connection';
import { AuditEntry } from '../../store/models';
import { customerSubject, eraseKeys } from '../../privacy/keys';
import { unsealDeep } from '../../privacy/seal';
import { freshMongoUrl } from '../support/env';

// Personal words in an audit entry are sealed before its hash is computed: the chain
// verifies over ciphertext, before and after the key is erased, and a retried append
// seals the same and writes nothing twice.

const entry = (seq: number, actionDetails: Record<string, unknown>): AuditRecord => ({
  caseId: 'case-sealed',
  seq,
  actionType: 'still_broken_reported',
  actor: { id: 'user-1', role: 'customer', customerId: 'cust-sealed' },
  channel: 'portal',
  actionDetails,
  userApproved: false,
  executedAt: new Date(1_700_000_000_000 + seq * 1000),
});

describe('audit entries with personal details', () => {
  beforeAll(() => connectStore(freshMongoUrl('privacy_audit')));
  afterAll(() => disconnectStore());

  it('seals them before hashing; the chain verifies before and after erasure', async () => {
    const words = 'Still broken, call me on +15550001111';
    const first = await appendAudit(entry(1, { words, followUpCaseId: 'c-2' }));
    // A retry (Temporal's) seals the same, so the hash matches and nothing is written twice.
    expect(await appendAudit(entry(1, { words, followUpCaseId: 'c-2' }))).toBe(first);
    await appendAudit(entry(2, { note: 'plain note' }), first);
    const stored = await AuditEntry.find({ caseId: 'case-sealed' }).sort({ seq: 1 }).lean();
    expect(stored).toHaveLength(2);
    expect(JSON.stringify(stored)).not.toContain('5550001111');
    expect(stored[0]!.actionDetails).toMatchObject({
      words: expect.stringMatching(/^pii1:customer:cust-sealed:/),
      followUpCaseId: 'c-2',
    });
    expect(await unsealDeep(stored[0]!.actionDetails)).toMatchObject({ words });
    expect(await verifyChain('case-sealed')).toMatchObject({ valid: true, entries: 2 });

    await eraseKeys('cust-sealed', [customerSubject('cust-sealed').id]);
    expect(await verifyChain('case-sealed')).toMatchObject({ valid: true, entries: 2 });
    expect(await unsealDeep(stored[0]!.actionDetails)).toMatchObject({ words: '(erased)' });
  });
});
