import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { startSimulatedAgent, type SimulatedAgent } from '../../agent/simulatedAgent';
import { createDevice } from '../../api/devices';
import { prompts } from '../../api/voice/prompts';
import { fixWords, problemWords } from '../../api/voice/words';
import { Case, Customer, Device, Site } from '../../store/models';
import { caseWorkflowId, closeCaseSignal } from '../../workflows/messages';
import type { supportCase } from '../../workflows/supportCase';
import { waitForStatus } from '../support/cases';
import { readLatestCode } from '../support/mail';
import { call, eventually } from '../support/stack';
import { expectPlainWords } from './plainWords';
import {
  callAboutNewProblem,
  latestMailText,
  mailsTo,
  startVoiceStack,
  waitForCallState,
  waitToHear,
  type VoiceStack,
} from './support';

// A customer with two Zen boxes calls: the call is about the box that matters,
// or the one the caller picks by keypad, with the site names read out.

interface TestBox {
  deviceId: string;
  token: string;
}

describe('voice: a customer with two Zen boxes', () => {
  let v: VoiceStack;
  const phone = '+15557770001';
  const email = 'owner@harbor-books.example';
  let front: TestBox;
  let back: TestBox;
  const running: SimulatedAgent[] = [];

  beforeAll(async () => {
    v = await startVoiceStack('voiceboxes', {
      approvalTimeoutMs: 120_000,
      approvalGraceMs: 120_000,
    });
    const customer = await Customer.create({
      businessName: 'Harbor Books',
      primaryPhone: phone,
      email,
    });
    // The front shop's box is the older one: the one a call used to look at, whatever happened.
    front = await newBox(customer._id, 'Front shop');
    back = await newBox(customer._id, 'Back office');
  });
  afterEach(async () => {
    for (const agent of running.splice(0)) agent.stop();
    await eventually(async () => (await countOnline(front, back)) === 0, {
      what: 'both boxes offline',
      timeoutMs: 5000,
    }).catch(() => undefined);
  });
  afterAll(() => v.stop());

  async function newBox(customerId: string, siteName: string): Promise<TestBox> {
    const site = await Site.create({ customerId, name: siteName });
    const deviceId = `pi-voiceboxes-${randomUUID().slice(0, 8)}`;
    const token = await createDevice(site, { deviceId, serialNumber: `SN-${deviceId}` });
    return { deviceId, token };
  }

  function connect(box: TestBox, scenario: string): SimulatedAgent {
    const agent = startSimulatedAgent({
      apiUrl: v.stack.apiUrl,
      token: box.token,
      scenario,
      journalPath: path.join(v.stack.dataDir, `${box.deviceId}-journal.json`),
      log: () => undefined,
    });
    running.push(agent);
    return agent;
  }

  async function countOnline(...boxes: TestBox[]): Promise<number> {
    const devices = await Device.find({}, { deviceId: 1, status: 1 }).lean();
    return devices.filter(
      (d) => d.status === 'online' && boxes.some((b) => b.deviceId === d.deviceId),
    ).length;
  }

  /** A call about the box picked by `key` whose case closes as fixed (its network is healthy). */
  async function fixedByCall(box: TestBox, key: number) {
    const callId = await callAboutNewProblem(v.telnyx, phone);
    await waitToHear(v.telnyx, callId, 'Which one is this call about?');
    v.telnyx.press(callId, String(key));
    await waitToHear(v.telnyx, callId, 'Your case is resolved');
    const fixed = await handleOf(box).result();
    expect(fixed.status).toBe('resolved');
    await waitForCallState(v.telnyx, callId, 'ended');
    return fixed;
  }

  async function online(...boxes: TestBox[]) {
    await eventually(async () => (await countOnline(...boxes)) === boxes.length, {
      what: 'the boxes online',
    });
  }

  const handleOf = (box: TestBox) =>
    v.stack.client.workflow.getHandle<typeof supportCase>(caseWorkflowId(box.deviceId));

  it('the call reaches the box whose fix waits for approval, not the older box', async () => {
    connect(front, 'healthy');
    const backPi = connect(back, 'gateway-unreachable');
    await online(front, back);
    // The back office's box reports its fault: its case waits for approval.
    const reported = await call(`${v.stack.apiUrl}/api/cases`, back.token, {
      body: { deviceId: back.deviceId, description: 'gateway silent' },
    });
    expect(reported.body).toMatchObject({ joined: false });
    const waiting = await waitForStatus(handleOf(back), 'awaiting_approval');

    const seen = mailsTo(v.mail.outbox, email);
    const callId = await callAboutNewProblem(v.telnyx, phone);
    const heard = await waitToHear(v.telnyx, callId, 'six digit code');
    expect(heard).toContain(prompts.opened(true, 'Back office'));
    // Before the code: what is wrong, what the fix does, its risk and downtime.
    const explained = heard.find((line) => line.includes('six digit code'))!;
    expect(explained).toContain(problemWords.gateway);
    expect(explained).toContain(fixWords.power_cycle_router.does);
    expect(explained).toContain('The risk is medium');
    expect(explained).toContain('down for about 3 minutes');
    // The e-mail says what the code approves, and where.
    const code = await readLatestCode(v.mail.outbox, email, seen);
    expect(await latestMailText(v.mail.outbox, email, seen)).toContain(
      'It approves: Restart your router (about 3 minutes without network or internet) for the case at Back office',
    );

    v.telnyx.press(callId, code);
    await waitToHear(v.telnyx, callId, 'Press 1 to approve: Restart your router');
    v.telnyx.press(callId, '1');
    const final = await handleOf(back).result();
    expect(final).toMatchObject({ caseId: waiting.caseId, status: 'resolved' });
    expect(final.decisions).toEqual([
      expect.objectContaining({ approved: true, channel: 'phone' }),
    ]);
    expect(backPi.network.applied.map((a) => a.action)).toEqual(['power_cycle_router']);
    // The front shop's box was left alone: no case was opened for it.
    expect(await Case.countDocuments({ deviceId: front.deviceId })).toBe(0);
    await waitToHear(v.telnyx, callId, 'Your case is resolved: the fix worked');
    await waitForCallState(v.telnyx, callId, 'ended');
    expectPlainWords(v.telnyx.heard(callId));
  });

  it('when no box stands out, the caller picks one by keypad from the site names read out', async () => {
    connect(front, 'healthy');
    connect(back, 'healthy');
    await online(front, back);
    const callId = await callAboutNewProblem(v.telnyx, phone);
    await waitToHear(v.telnyx, callId, prompts.chooseBox(['Front shop', 'Back office']));
    v.telnyx.press(callId, '1');
    await waitToHear(v.telnyx, callId, prompts.opened(false, 'Front shop'));
    const final = await handleOf(front).result();
    expect(final.status).toBe('resolved');
    await waitToHear(v.telnyx, callId, 'Your case is resolved');
    await waitForCallState(v.telnyx, callId, 'ended');
    // Only the box the caller picked has a new case.
    expect(await Case.countDocuments({ deviceId: front.deviceId })).toBe(1);
    expect(await Case.countDocuments({ deviceId: back.deviceId })).toBe(1);
    expectPlainWords(v.telnyx.heard(callId));
  });

  it('a caller who picks nothing hears how else to get help, and the call ends; no case', async () => {
    connect(front, 'healthy');
    connect(back, 'healthy');
    await online(front, back);
    const before = await Case.countDocuments();
    const callId = await callAboutNewProblem(v.telnyx, phone);
    await waitToHear(v.telnyx, callId, 'Which one is this call about?');
    v.telnyx.press(callId, '7'); // no such place
    await eventually(
      async () =>
        v.telnyx.heard(callId).filter((line) => line.includes('Which one is this call about?'))
          .length === 2,
      { what: 'the menu read again' },
    );
    v.telnyx.press(callId, '9');
    await waitToHear(v.telnyx, callId, prompts.noChoice);
    await waitForCallState(v.telnyx, callId, 'ended');
    expect(await Case.countDocuments()).toBe(before);
  });

  it("a call stays with its own case: the box's next case is not read to it", async () => {
    await Customer.updateOne({ primaryPhone: phone }, { $set: { callOnAgentFault: true } });
    connect(front, 'healthy');
    const backPi = connect(back, 'gateway-unreachable');
    await online(front, back);
    const before = v.telnyx.calls.size;
    const seen = mailsTo(v.mail.outbox, email);
    // The back office's box reports a fault, and we call the customer about it.
    await call(`${v.stack.apiUrl}/api/cases`, back.token, {
      body: { deviceId: back.deviceId, description: 'gateway silent' },
    });
    const outgoing = await eventually(
      async () =>
        [...v.telnyx.calls.values()].slice(before).find((c) => c.direction === 'outgoing'),
      { what: 'the call to the customer' },
    );
    await waitToHear(v.telnyx, outgoing.id, 'six digit code');
    v.telnyx.press(outgoing.id, await readLatestCode(v.mail.outbox, email, seen));
    await waitToHear(v.telnyx, outgoing.id, 'Press 1 to approve');
    await Customer.updateOne({ primaryPhone: phone }, { $set: { callOnAgentFault: false } });
    // A slow line: the call hears the news of its case late.
    v.telnyx.delayCommands(outgoing.id, 1500);
    v.telnyx.press(outgoing.id, '1');
    expect((await handleOf(back).result()).status).toBe('resolved');

    // At once the router hangs again, and the same box reports it: a new case (a new run
    // of the same workflow id).
    backPi.stop();
    connect(back, 'gateway-unreachable');
    await online(back);
    await call(`${v.stack.apiUrl}/api/cases`, back.token, {
      body: { deviceId: back.deviceId, description: 'gateway silent again' },
    });
    const next = await waitForStatus(handleOf(back), 'awaiting_approval');
    try {
      // The call about the first case hears that case end, and nothing of the next one.
      await waitToHear(v.telnyx, outgoing.id, 'Your case is resolved: the fix worked');
      await waitForCallState(v.telnyx, outgoing.id, 'ended');
      const heard = v.telnyx.heard(outgoing.id);
      expect(heard.filter((line) => line.includes('six digit code'))).toHaveLength(1);
      expectPlainWords(heard);
    } finally {
      await handleOf(back).signal(closeCaseSignal, {
        actor: { id: 'test', role: 'operator' },
        reason: `test over (${next.caseId})`,
      });
    }
  });
  it('a caller whose case was fixed lately says it is still broken: it reopens with a person', async () => {
    connect(front, 'healthy');
    connect(back, 'healthy');
    await online(front, back);
    // A call this morning: the front shop's box checked the network and closed the case.
    const fixed = await fixedByCall(front, 1);

    const callId = await v.telnyx.placeCall(phone);
    await waitToHear(v.telnyx, callId, 'Which one is this call about?');
    v.telnyx.press(callId, '1');
    await waitToHear(v.telnyx, callId, prompts.askStillBroken('Front shop'));
    v.telnyx.press(callId, '1');
    await waitToHear(v.telnyx, callId, prompts.reopened(true));
    const followUp = await eventually(
      async () => (await Case.findOne({ followUpOf: fixed.caseId }).lean()) ?? undefined,
      { what: 'the follow-up case' },
    );
    expect(followUp).toMatchObject({ channel: 'phone', deviceId: front.deviceId });
    expect(followUp.assignedOperator).toBeTruthy();
    expect((await Case.findById(fixed.caseId).lean())?.followUpCaseId).toBe(followUp._id);
    // The box's checks pass again, yet the follow-up is not closed on them: a person has it.
    const final = await handleOf(front).result();
    expect(final).toMatchObject({ caseId: followUp._id, status: 'escalated' });
    await waitToHear(v.telnyx, callId, 'Your case has been handed to a technician');
    expectPlainWords(v.telnyx.heard(callId));
  });

  it('pressing 2 instead opens a new case for a new problem, and the fixed case stays closed', async () => {
    connect(front, 'healthy');
    connect(back, 'healthy');
    await online(front, back);
    const fixed = await fixedByCall(back, 2);
    const callId = await v.telnyx.placeCall(phone);
    await waitToHear(v.telnyx, callId, 'Which one is this call about?');
    v.telnyx.press(callId, '2');
    await waitToHear(v.telnyx, callId, prompts.askStillBroken('Back office'));
    v.telnyx.press(callId, '2');
    await waitToHear(v.telnyx, callId, prompts.opened(false, 'Back office'));
    const next = await handleOf(back).result();
    expect(next.caseId).not.toBe(fixed.caseId);
    expect(next.status).toBe('resolved');
    expect((await Case.findById(fixed.caseId).lean())?.followUpCaseId).toBeUndefined();
  });
});
