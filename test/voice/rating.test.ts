import { ratingToken } from '../../api/satisfaction/links';
import { prompts } from '../../api/voice/prompts';
import { CaseSatisfaction } from '../../store/satisfaction';
import { caseWorkflowId } from '../../workflows/messages';
import type { supportCase } from '../../workflows/supportCase';
import { call } from '../support/stack';
import { expectPlainWords } from './plainWords';
import {
  callAboutNewProblem,
  connectPi,
  stopDevice,
  waitForCallState,
  waitToHear,
  type VoiceStack,
  startVoiceStack,
} from './support';

// How did we do, on the keypad: a case that resolves while the caller is on asks for 1 to 5
// through the Telnyx stand-in; a wrong key asks once more; a case rated already is thanked
// and not stored again; silence says goodbye.

describe('satisfaction by the phone keypad', () => {
  let v: VoiceStack;
  beforeAll(async () => {
    v = await startVoiceStack('csat-phone');
  });
  afterAll(() => v.stop());

  const phone = () => v.stack.demo.customer.phone;
  const caseOfDevice = async () =>
    (
      await v.stack.client.workflow
        .getHandle<typeof supportCase>(caseWorkflowId(v.stack.demo.device.deviceId))
        .result()
    ).caseId;

  /** A call about a problem that the healthy box finds resolved; the caller is asked. */
  async function callUntilAsked(): Promise<{ callId: string; caseId: string }> {
    const callId = await callAboutNewProblem(v.telnyx, phone());
    await waitToHear(v.telnyx, callId, prompts.askRating);
    return { callId, caseId: await caseOfDevice() };
  }

  it('DTMF 5 after a wrong key stores 5 from the phone; a later email answer is refused', async () => {
    const device = connectPi(v.stack, 'healthy');
    try {
      const { callId, caseId } = await callUntilAsked();
      const heard = v.telnyx.heard(callId);
      // The outcome first, then the question, without a goodbye between them.
      const asked = heard.indexOf(prompts.askRating);
      expect(heard[asked - 1]).toMatch(/^Your case is resolved/);
      expect(heard[asked - 1]).not.toMatch(/Goodbye/);

      v.telnyx.press(callId, '7');
      await waitToHear(v.telnyx, callId, prompts.ratingAgain);
      expect(await CaseSatisfaction.exists({ _id: caseId })).toBeNull();
      v.telnyx.press(callId, '5');
      await waitToHear(v.telnyx, callId, prompts.ratingThanks);
      await waitForCallState(v.telnyx, callId, 'ended');

      const stored = await CaseSatisfaction.findById(caseId).lean();
      expect(stored).toMatchObject({
        customerId: v.stack.demo.customer.id,
        score: 5,
        channel: 'phone',
      });
      expect(stored!.comment).toBeUndefined();

      const byEmail = await call(
        `${v.stack.apiUrl}/api/satisfaction/${ratingToken(caseId)}`,
        undefined,
        { body: { score: 1, comment: 'changed my mind' } },
      );
      expect(byEmail.status).toBe(409);
      expect(byEmail.body.code).toBe('ALREADY_ANSWERED');
      expect((await CaseSatisfaction.findById(caseId).lean())!.score).toBe(5);
      expectPlainWords(v.telnyx.heard(callId));
    } finally {
      await stopDevice(v.stack, device);
    }
  });

  it('a case rated by email meanwhile: the keypad answer is thanked and not stored', async () => {
    const device = connectPi(v.stack, 'healthy');
    try {
      const { callId, caseId } = await callUntilAsked();
      const byEmail = await call(
        `${v.stack.apiUrl}/api/satisfaction/${ratingToken(caseId)}`,
        undefined,
        { body: { score: 2 } },
      );
      expect(byEmail.status).toBe(201);
      v.telnyx.press(callId, '4');
      await waitToHear(v.telnyx, callId, prompts.ratingAlready);
      await waitForCallState(v.telnyx, callId, 'ended');
      expect(await CaseSatisfaction.findById(caseId).lean()).toMatchObject({
        score: 2,
        channel: 'email',
      });
    } finally {
      await stopDevice(v.stack, device);
    }
  });

  it('no key at all: goodbye, the call ends, nothing stored', async () => {
    const device = connectPi(v.stack, 'healthy');
    try {
      const { callId, caseId } = await callUntilAsked();
      await waitToHear(v.telnyx, callId, prompts.ratingSkipped, 20_000);
      await waitForCallState(v.telnyx, callId, 'ended');
      expect(await CaseSatisfaction.exists({ _id: caseId })).toBeNull();
    } finally {
      await stopDevice(v.stack, device);
    }
  });
});
