import { randomUUID } from 'node:crypto';
import { giveBack, takeAttempt, type Backoff } from '../../api/identity/throttle';
import { connectStore, disconnectStore } from '../../store/connection';
import { SignInThrottle } from '../../store/models';
import { freshMongoUrl } from '../support/env';

// Many requests for one key at the same moment, as two API instances see them: the
// free attempts go through exactly, never one more. On the lab's database a
// conditional update lets two racing writers both pass; each revision is claimed by
// an insert instead.

const policy: Backoff = { free: 5, baseMs: 60_000, capMs: 60_000, forgetMs: 3_600_000 };

describe('the sign-in throttle under a burst', () => {
  beforeAll(() => connectStore(freshMongoUrl('throttle-race')));
  afterAll(() => disconnectStore());

  it.each([1, 2, 3])('lets exactly the free attempts through (burst %i)', async () => {
    const key = `race:${randomUUID()}`;
    const waits = await Promise.all(Array.from({ length: 30 }, () => takeAttempt(key, policy)));
    expect(waits.filter((w) => w === 0)).toHaveLength(policy.free);
    expect((await SignInThrottle.findById(key).lean())!.count).toBe(policy.free);
  });

  it('gives back once per call, even when calls race', async () => {
    const key = `race:${randomUUID()}`;
    for (let i = 0; i < 4; i++) expect(await takeAttempt(key, policy)).toBe(0);
    await Promise.all([giveBack(key), giveBack(key), giveBack(key)]);
    expect((await SignInThrottle.findById(key).lean())!.count).toBe(1);
  });
});
