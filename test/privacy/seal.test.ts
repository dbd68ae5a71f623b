import { connectStore, disconnectStore } from '../../store/connection';
import { freshMongoUrl } from '../support/env';
import { loadConfig, INSECURE_DEVELOPMENT_PII_MASTER_KEY } from '../../config';
import {
  callerSubject,
  customerSubject,
  eraseKeys,
  keyFor,
  personSubject,
  subjectLabel,
  SubjectKey,
  ErasedSubjectError,
} from '../../privacy/keys';
import { ERASED, isSealed, open, seal, subjectOf, unseal, unsealDeep } from '../../privacy/seal';

// Sealing and erasing personal values: keys per customer and person, made once, stored
// wrapped, and gone for good when erased.

describe('personal data keys and sealing', () => {
  beforeAll(() => connectStore(freshMongoUrl('privacy_seal')));
  afterAll(() => disconnectStore());

  it('seals to a self-describing string and unseals it; plain values pass through', async () => {
    const sealed = await seal(customerSubject('c-1'), 'my printer is on fire');
    expect(sealed).toMatch(/^pii1:customer:c-1:[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('printer');
    expect(subjectOf(sealed)).toBe('customer:c-1');
    expect(await unseal(sealed)).toBe('my printer is on fire');
    expect(await unseal('written before sealing')).toBe('written before sealing');
    expect(await seal(customerSubject('c-1'), sealed)).toBe(sealed);
  });

  it('makes each key exactly once, even when many ask at the same time', async () => {
    const keys = await Promise.all(
      Array.from({ length: 8 }, () => keyFor(personSubject('c-2', 'u-race'))),
    );
    expect(new Set(keys.map((k) => k.toString('hex'))).size).toBe(1);
    const docs = await SubjectKey.find({ _id: 'person:u-race' }).lean();
    expect(docs).toHaveLength(1);
    // Stored wrapped: the raw key is nowhere in the document.
    expect(JSON.stringify(docs[0])).not.toContain(keys[0]!.toString('base64'));
    expect(docs[0]!.customerId).toBe('c-2');
  });

  it('an erased key reads as erased at once, and its subject gets no new key', async () => {
    const person = personSubject('c-3', 'u-gone');
    const other = personSubject('c-3', 'u-stays');
    const gone = await seal(person, 'words of the erased person');
    const stays = await seal(other, 'words of a colleague');
    await eraseKeys('c-3', [person.id]);
    expect(await open(gone)).toEqual({ erased: true });
    expect(await unseal(gone)).toBe(ERASED);
    expect(await unseal(stays)).toBe('words of a colleague');
    await expect(seal(person, 'new words')).rejects.toBeInstanceOf(ErasedSubjectError);
    expect(await unsealDeep({ a: [gone, { b: stays }], n: 1 })).toEqual({
      a: [ERASED, { b: 'words of a colleague' }],
      n: 1,
    });
  });

  it('a caller is known by a keyed hash; their number is kept only under their own key', async () => {
    const caller = callerSubject('c-4', '+1 555 010 7788');
    expect(caller.id).toMatch(/^caller:[A-Za-z0-9_-]{22}$/);
    expect(caller.id).not.toContain('5550107788');
    expect(callerSubject('c-4', '+15550107788').id).toBe(caller.id);
    expect(callerSubject('c-5', '+15550107788').id).not.toBe(caller.id);
    await keyFor(caller, '+15550107788');
    expect(await subjectLabel(caller.id)).toBe('+15550107788');
    const doc = await SubjectKey.findById(caller.id).lean();
    expect(JSON.stringify(doc)).not.toContain('5550107788');
    await eraseKeys('c-4', [caller.id]);
    expect(await subjectLabel(caller.id)).toBeUndefined();
  });

  it('a context seals the same text the same, so a retried write is identical', async () => {
    const subject = customerSubject('c-6');
    const a = await seal(subject, 'same words', 'case-1:3#words');
    expect(await seal(subject, 'same words', 'case-1:3#words')).toBe(a);
    expect(await seal(subject, 'same words', 'case-1:4#words')).not.toBe(a);
    expect(await seal(subject, 'same words')).not.toBe(await seal(subject, 'same words'));
    expect(isSealed(a)).toBe(true);
  });

  it('production refuses to start without a master key of its own; a bad key is refused', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/PII_MASTER_KEY/);
    expect(() => loadConfig({ PII_MASTER_KEY: 'c2hvcnQ=' })).toThrow(/32 bytes/);
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({ PII_MASTER_KEY: key }).privacy.masterKey.equals(Buffer.alloc(32, 7))).toBe(
      true,
    );
    expect(loadConfig({}).privacy.masterKey).toBe(INSECURE_DEVELOPMENT_PII_MASTER_KEY);
  });
});
