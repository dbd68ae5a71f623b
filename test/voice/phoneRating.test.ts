import { randomUUID } from 'node:crypto';
import type { ClientState } from '../../api/voice/callEvents';
import type { CallSession } from '../../api/voice/callSession';
import { PhoneRating } from '../../api/voice/phoneRating';
import { prompts } from '../../api/voice/prompts';
import { Case } from '../../store/models';
import { connectStore, disconnectStore } from '../../store/connection';
import { CaseSatisfaction } from '../../store/satisfaction';
import { freshMongoUrl } from '../support/env';

// The keypad rating's steps on their own, against FerretDB: when the call may ask (the case
// document closes a moment after the case does), and what each key does.

describe('the phone keypad rating', () => {
  beforeAll(() => connectStore(freshMongoUrl('phone-rating')));
  afterAll(() => disconnectStore());

  const customerId = 'customer-1';
  const said: { text: string; state?: ClientState; gather: boolean }[] = [];
  const rating = new PhoneRating({
    say: async (_s, text, state) => void said.push({ text, state, gather: false }),
    gather: async (_s, text) => void said.push({ text, gather: true }),
  });

  function session(): CallSession {
    return {
      id: `v3:${randomUUID()}`,
      from: '+15551230000',
      customerId,
      email: 'desk@example.com',
      businessName: 'Bayside Dental',
      phase: 'progress',
      settled: new Set(),
      menuTries: 0,
      polling: false,
    };
  }

  async function caseDoc(status: string) {
    const _id = randomUUID();
    await Case.create({
      _id,
      workflowId: `wf-${_id}`,
      customerId,
      deviceId: 'pi-1',
      channel: 'phone',
      status,
    });
    return _id;
  }

  it('waits for the case document to close, for a while; never asks on cancelled', async () => {
    const caseId = await caseDoc('verifying');
    const call = session();
    await expect(rating.readiness(call, caseId, 'resolved')).resolves.toBe('wait');
    await Case.updateOne({ _id: caseId }, { $set: { status: 'resolved' } });
    await expect(rating.readiness(call, caseId, 'resolved')).resolves.toBe('ask');

    const late = session();
    const stillOpen = await caseDoc('verifying');
    await expect(rating.readiness(late, stillOpen, 'not_fixable_remotely')).resolves.toBe('wait');
    late.rating!.closedSeenAt -= 11_000;
    await expect(rating.readiness(late, stillOpen, 'not_fixable_remotely')).resolves.toBe('no');

    const cancelled = await caseDoc('cancelled');
    await expect(rating.readiness(session(), cancelled, 'cancelled')).resolves.toBe('no');
    const escalated = await caseDoc('escalated');
    await expect(rating.readiness(session(), escalated, 'escalated')).resolves.toBe('no');
  });

  it('a wrong key asks once more, a second wrong key says goodbye; nothing stored', async () => {
    const caseId = await caseDoc('resolved');
    const call = session();
    await rating.readiness(call, caseId, 'resolved');
    said.length = 0;
    await rating.ask(call);
    expect(call.phase).toBe('rate');
    await rating.answer(call, '9', 'valid');
    await rating.answer(call, '0', 'valid');
    expect(said).toEqual([
      { text: prompts.askRating, gather: true },
      { text: prompts.ratingAgain, gather: true },
      { text: prompts.ratingSkipped, state: { p: 'done' }, gather: false },
    ]);
    expect(call.phase).toBe('closing');
    expect(await CaseSatisfaction.exists({ _id: caseId })).toBeNull();
  });

  it('a score is stored once from the phone; the next answer is thanked, not stored', async () => {
    const caseId = await caseDoc('not_fixable_remotely');
    const first = session();
    await rating.readiness(first, caseId, 'not_fixable_remotely');
    said.length = 0;
    await rating.answer(first, '3', 'valid');
    const second = session();
    await rating.readiness(second, caseId, 'not_fixable_remotely');
    await rating.answer(second, '1', 'valid');
    expect(said.map((s) => s.text)).toEqual([prompts.ratingThanks, prompts.ratingAlready]);
    expect(await CaseSatisfaction.findById(caseId).lean()).toMatchObject({
      customerId,
      score: 3,
      channel: 'phone',
    });
  });
});
