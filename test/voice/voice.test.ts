import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { signWebhook } from '../../stand-ins/telnyx';
import { AuditEntry, Case, Customer, OneTimeCode, WebhookEvent } from '../../store/models';
import { unseal } from '../../privacy/seal';
import { prompts } from '../../api/voice/prompts';
import { fixWords, problemWords } from '../../api/voice/words';
import { createTelnyxClient, isCallEnded } from '../../api/voice/telnyxClient';
import { caseWorkflowId, closeCaseSignal } from '../../workflows/messages';
import type { supportCase } from '../../workflows/supportCase';
import { approve, stateOf, waitForStatus } from '../support/cases';
import { readLatestCode } from '../support/mail';
import { call, eventually } from '../support/stack';
import { expectPlainWords } from './plainWords';
import {
  callAboutNewProblem,
  connectPi,
  latestMailText,
  mailsTo,
  startVoiceStack,
  stopDevice,
  waitForCallState,
  waitToHear,
  type VoiceStack,
} from './support';

// The phone channel end to end: the real telnyx SDK against the Telnyx stand-in,
// signed webhooks into the in-process API, the real Temporal dev server,
// FerretDB, the SMTP sink and a simulated Pi.

describe('voice: Telnyx Call Control', () => {
  let v: VoiceStack;
  beforeAll(async () => {
    v = await startVoiceStack('voice', {
      approvalTimeoutMs: 120_000,
      approvalGraceMs: 120_000,
      reconnectGraceMs: 3000,
      manualStepWaitMs: 120_000,
    });
  });
  afterAll(() => v.stop());

  const phone = () => v.stack.demo.customer.phone;
  const email = () => v.stack.demo.customer.email;
  const handle = () =>
    v.stack.client.workflow.getHandle<typeof supportCase>(
      caseWorkflowId(v.stack.demo.device.deviceId),
    );

  /** A call.initiated for the demo customer that no real call stands behind. */
  function initiatedBody(id = randomUUID()) {
    return JSON.stringify({
      data: {
        record_type: 'event',
        event_type: 'call.initiated',
        id,
        occurred_at: new Date().toISOString(),
        payload: {
          call_control_id: `v3:forged-${id}`,
          from: phone(),
          to: '+15550000100',
          direction: 'incoming',
          client_state: null,
        },
      },
      meta: { attempt: 1 },
    });
  }

  it('refuses a forged signature and a tampered body, with no effect', async () => {
    const id = randomUUID();
    const body = initiatedBody(id);
    const ts = String(Math.floor(Date.now() / 1000));
    const otherKey = generateKeyPairSync('ed25519').privateKey;
    const forged = signWebhook(otherKey, ts, body).toString('base64');
    expect(await v.telnyx.deliver(body, { timestamp: Number(ts), signature: forged })).toBe(401);

    // A body changed after signing (re-serialized JSON is not the signed bytes either).
    const res = await fetch(v.telnyx.webhookUrl!, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'telnyx-timestamp': ts,
        'telnyx-signature-ed25519': forged,
      },
      body: JSON.stringify(JSON.parse(body), null, 2),
    });
    expect(res.status).toBe(401);
    // No signature at all.
    const bare = await fetch(v.telnyx.webhookUrl!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(bare.status).toBe(401);

    expect(await WebhookEvent.exists({ _id: id })).toBeNull();
    expect(await Case.countDocuments()).toBe(0);
  });

  it('refuses a correctly signed event outside the 300 s window', async () => {
    const id = randomUUID();
    const stale = Math.floor(Date.now() / 1000) - 301;
    expect(await v.telnyx.deliver(initiatedBody(id), { timestamp: stale })).toBe(401);
    const future = Math.floor(Date.now() / 1000) + 301;
    expect(await v.telnyx.deliver(initiatedBody(id), { timestamp: future })).toBe(401);
    expect(await WebhookEvent.exists({ _id: id })).toBeNull();
    expect(await Case.countDocuments()).toBe(0);
  });

  it('an unknown caller hears a polite message, then the call ends; no case', async () => {
    const callId = await v.telnyx.placeCall('+15559870000');
    await waitForCallState(v.telnyx, callId, 'ended');
    expect(v.telnyx.heard(callId)).toEqual([prompts.unknownCaller]);
    expect(v.telnyx.calls.get(callId)!.commands).toEqual(['answer', 'speak', 'hangup']);
    expect(await Case.countDocuments()).toBe(0);
  });

  it('npm run call: a call from the terminal shows what the caller hears', async () => {
    const root = path.resolve(__dirname, '..', '..');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/call.ts',
        '--from',
        '+15559870002',
        '--standin',
        v.telnyx.controlUrl,
      ],
      { cwd: root, timeout: 30_000 },
    );
    expect(stdout).toContain(prompts.unknownCaller);
    expect(stdout).toContain('Call ended.');
  });

  it('the stand-in speaks Call Control to the real SDK: auth, dial, 422 90018 after the end', async () => {
    const sdk = createTelnyxClient({
      apiKey: v.telnyx.apiKey,
      publicKey: v.telnyx.publicKey,
      baseURL: v.telnyx.url,
      maxRetries: 0,
    });
    const wrongKey = createTelnyxClient({
      apiKey: 'KEY_wrong',
      publicKey: v.telnyx.publicKey,
      baseURL: v.telnyx.url,
      maxRetries: 0,
    });
    await expect(
      wrongKey.calls.dial({ connection_id: 'c', to: '+15550001111', from: '+15550000100' }),
    ).rejects.toMatchObject({ status: 401 });
    const dialed = await sdk.calls.dial({
      connection_id: 'standin-connection',
      to: '+15559870003',
      from: '+15550000100',
      client_state: Buffer.from('outbound').toString('base64'),
    });
    const id = dialed.data!.call_control_id;
    await waitForCallState(v.telnyx, id, 'answered');
    await sdk.calls.actions.speak(id, { payload: 'Hello from the cloud', voice: 'female' });
    await sdk.calls.actions.hangup(id, {});
    const err = await sdk.calls.actions
      .speak(id, { payload: 'too late', voice: 'female' })
      .catch((e: unknown) => e);
    expect(isCallEnded(err)).toBe(true);
    expect(err).toMatchObject({ status: 422 });
    expect(v.telnyx.heard(id)).toEqual(['Hello from the cloud']);
    // client_state comes back on the call's events.
    await v.telnyx.idle();
    const events = v.telnyx.deliveries.filter((d) => d.callControlId === id);
    expect(events.map((d) => d.eventType)).toEqual([
      'call.initiated',
      'call.answered',
      'call.speak.started',
      'call.speak.ended',
      'call.hangup',
    ]);
    expect(JSON.parse(events[0]!.body).data.payload.client_state).toBe(
      Buffer.from('outbound').toString('base64'),
    );
  });

  it('a call whose commands Telnyx answers slowly holds up no other call', async () => {
    // Each command of the first call takes effect at once but is answered 4 s late.
    const slow = await v.telnyx.placeCall('+15559870010');
    v.telnyx.delayCommands(slow, 4000);
    const started = Date.now();
    const quick = await v.telnyx.placeCall('+15559870011');
    await waitForCallState(v.telnyx, quick, 'ended');
    expect(Date.now() - started).toBeLessThan(3500);
    expect(v.telnyx.heard(quick)).toEqual([prompts.unknownCaller]);
    // The slow call gets through too, late, each command carried out once.
    await waitForCallState(v.telnyx, slow, 'ended');
    expect(v.telnyx.heard(slow)).toEqual([prompts.unknownCaller]);
    expect(v.telnyx.calls.get(slow)!.commands).toEqual(['answer', 'speak', 'hangup']);
  });

  it('processes a replayed event once, and ignores late events for an ended call', async () => {
    const callId = await v.telnyx.placeCall('+15559870001');
    await waitForCallState(v.telnyx, callId, 'ended');
    await v.telnyx.idle();
    const deliveries = v.telnyx.deliveries.filter((d) => d.callControlId === callId);
    const initiated = deliveries.find((d) => d.eventType === 'call.initiated')!;
    const answered = deliveries.find((d) => d.eventType === 'call.answered')!;
    expect(initiated.status).toBe(200);

    // The same delivery again, byte for byte (Telnyx retries), twice at once.
    const replay = () =>
      fetch(v.telnyx.webhookUrl!, {
        method: 'POST',
        headers: initiated.headers,
        body: initiated.body,
      }).then(async (r) => ({ status: r.status, body: await r.json() }));
    const [a, b] = await Promise.all([replay(), replay()]);
    expect(a).toEqual({ status: 200, body: { status: 'duplicate' } });
    expect(b).toEqual({ status: 200, body: { status: 'duplicate' } });
    // Re-signed now, same event id: still once.
    expect(await v.telnyx.deliver(answered.body)).toBe(200);
    expect(await WebhookEvent.countDocuments({ callControlId: callId })).toBe(deliveries.length);
    // A gather.ended nobody asked for, for a call that is over: accepted, ignored.
    const late = JSON.stringify({
      data: {
        record_type: 'event',
        event_type: 'call.gather.ended',
        id: randomUUID(),
        payload: { call_control_id: callId, digits: '1', status: 'valid', client_state: null },
      },
    });
    expect(await v.telnyx.deliver(late)).toBe(200);
    expect(v.telnyx.calls.get(callId)!.commands).toEqual(['answer', 'speak', 'hangup']);
    expect(v.telnyx.heard(callId)).toHaveLength(1);
  });

  it('a known caller: greeting, case, wrong code then the right one, approves by phone', async () => {
    // A hung router: its power cycle, approved by phone, fixes the whole office.
    const device = connectPi(v.stack, 'gateway-unreachable');
    try {
      const seen = mailsTo(v.mail.outbox, email());
      const callId = await callAboutNewProblem(v.telnyx, phone());
      await waitToHear(v.telnyx, callId, `Hello ${v.stack.demo.customer.businessName}`);
      const waiting = await waitForStatus(handle(), 'awaiting_approval');
      expect(waiting.channel).toBe('phone');
      expect(waiting.channels).toContain('phone');
      const asked = await waitToHear(v.telnyx, callId, 'six digit code');
      // Before any keypad question: what is wrong, the fix, its risk and its downtime.
      const explained = asked.find((line) => line.includes('six digit code'))!;
      expect(explained).toContain(problemWords.gateway);
      expect(explained).toContain(fixWords.power_cycle_router.does);
      expect(explained).toContain('The risk is medium');
      expect(explained).toContain('will be down for about 3 minutes');
      const code = await readLatestCode(v.mail.outbox, email(), seen);
      // The code e-mail says what the code approves.
      expect(await latestMailText(v.mail.outbox, email(), seen)).toContain(
        'It approves: Restart your router (about 3 minutes without network or internet) for the case at Main office',
      );

      const wrong = code === '000000' ? '111111' : '000000';
      v.telnyx.press(callId, wrong);
      await waitToHear(v.telnyx, callId, 'That code is not right. You have 4 tries left');
      v.telnyx.press(callId, code);
      await waitToHear(
        v.telnyx,
        callId,
        'Press 1 to approve: Restart your router (about 3 minutes without network or internet)',
      );
      v.telnyx.press(callId, '1');
      await waitToHear(v.telnyx, callId, prompts.approved);

      const final = await handle().result();
      expect(final).toMatchObject({ status: 'resolved', issueCategory: 'gateway' });
      expect(final.decisions).toEqual([
        expect.objectContaining({ approved: true, channel: 'phone' }),
      ]);
      expect(device.network.applied.map((a) => a.action)).toEqual(['power_cycle_router']);
      // The caller hears the outcome, then the call ends.
      await waitToHear(v.telnyx, callId, 'Your case is resolved: the fix worked');
      await waitForCallState(v.telnyx, callId, 'ended');
      // Progress came in plain words, never the case's internal step text.
      expectPlainWords(v.telnyx.heard(callId));

      const doc = await Case.findById(waiting.caseId).lean();
      expect(doc).toMatchObject({ channel: 'phone', status: 'resolved' });
      // The number is kept sealed under the caller's own key (privacy/).
      expect(await unseal(doc!.callerPhone!)).toBe(phone());
      const types = (await AuditEntry.find({ caseId: waiting.caseId }).lean()).map(
        (e) => e.actionType,
      );
      expect(types).toEqual(
        expect.arrayContaining(['call_answered', 'fix_approved', 'case_resolved']),
      );
    } finally {
      await stopDevice(v.stack, device);
    }
  });

  it('a caller whose Zen box cannot reach us hears what to do; the box comes back, the case verifies and closes', async () => {
    const callId = await callAboutNewProblem(v.telnyx, phone());
    await waitToHear(v.telnyx, callId, `Hello ${v.stack.demo.customer.businessName}`);
    // Said at once: what to check now. The box went quiet before any check: after the
    // grace, the modem first, then the router, step by step.
    const heard = await waitToHear(v.telnyx, callId, 'Restart your modem, then your router');
    expect(heard.join(' ')).toMatch(
      /Check your Zen box and your internet\..* Step 1: Check that the Zen box has power/,
    );
    const guidance = heard.find((line) => line.includes('Restart your modem, then your router'))!;
    expect(guidance).toMatch(
      /Restart your modem, then your router\. .* Step 1: Unplug the power cable of the modem .* Step 2: Wait ten seconds, then plug it back in\. Step 3: Wait two minutes/,
    );
    expect(heard.filter((line) => line === guidance)).toHaveLength(1);
    // The caller does it and the box is back.
    const device = connectPi(v.stack, 'healthy');
    try {
      const final = await handle().result();
      expect(final.status).toBe('resolved');
      await waitToHear(v.telnyx, callId, 'Your case is resolved: your step fixed it');
      await waitForCallState(v.telnyx, callId, 'ended');
      expect(
        await AuditEntry.exists({ caseId: final.caseId, actionType: 'manual_step_fixed' }),
      ).toBeTruthy();
    } finally {
      await stopDevice(v.stack, device);
    }
  });

  it('a fault the Zen box reports opens a case and calls an opted-in customer', async () => {
    const device = connectPi(v.stack, 'gateway-unreachable');
    try {
      // Not opted in: the case opens, nobody is called.
      const before = v.telnyx.calls.size;
      const quiet = await call(`${v.stack.apiUrl}/api/cases`, v.stack.demo.device.token, {
        body: { deviceId: v.stack.demo.device.deviceId, description: 'gateway silent' },
      });
      expect(quiet.body).toMatchObject({ joined: false });
      await waitForStatus(handle(), 'awaiting_approval');
      await new Promise((r) => setTimeout(r, 300));
      expect(v.telnyx.calls.size).toBe(before);
      await handle().signal(closeCaseSignal, {
        actor: { id: 'test', role: 'operator' },
        reason: 'next scenario',
      });
      await handle().result();

      const me = `${v.stack.apiUrl}/api/customers/me`;
      const token = v.stack.demo.customer.token;
      const invalid = await call(me, token, { method: 'PATCH', body: { callOnAgentFault: 'yes' } });
      expect(invalid.status).toBe(400);
      const optedIn = await call(me, token, { method: 'PATCH', body: { callOnAgentFault: true } });
      expect(optedIn.body).toMatchObject({ callOnAgentFault: true, primaryPhone: phone() });
      const opened = await call(`${v.stack.apiUrl}/api/cases`, v.stack.demo.device.token, {
        body: { deviceId: v.stack.demo.device.deviceId, description: 'gateway silent' },
      });
      expect(opened.body).toMatchObject({ joined: false });
      const outgoing = await eventually(
        async () =>
          [...v.telnyx.calls.values()].slice(before).find((c) => c.direction === 'outgoing'),
        { what: 'the proactive call' },
      );
      expect(outgoing.to).toBe(phone());
      await waitToHear(v.telnyx, outgoing.id, 'Your Zen box has noticed a problem');
      // The same approval by phone: emailed code, then 1.
      await waitToHear(v.telnyx, outgoing.id, 'six digit code');
      v.telnyx.press(outgoing.id, await readLatestCode(v.mail.outbox, email()));
      await waitToHear(v.telnyx, outgoing.id, 'Press 1 to approve');
      v.telnyx.press(outgoing.id, '1');
      const final = await handle().result();
      expect(final.status).toBe('resolved');
      expect(final.decisions).toEqual([expect.objectContaining({ channel: 'phone' })]);
      expect(device.network.applied.map((a) => a.action)).toEqual(['power_cycle_router']);
      // The call hears its case end and hangs up: it does not follow the box's next case.
      await waitToHear(v.telnyx, outgoing.id, 'Your case is resolved');
      await waitForCallState(v.telnyx, outgoing.id, 'ended');
    } finally {
      await Customer.updateOne(
        { _id: v.stack.demo.customer.id },
        { $set: { callOnAgentFault: false } },
      );
      await stopDevice(v.stack, device);
    }
  });

  it('five wrong codes on the phone kill the code, with no lockout named; the portal still can approve', async () => {
    const device = connectPi(v.stack, 'gateway-unreachable');
    try {
      const seen = mailsTo(v.mail.outbox, email());
      const callId = await callAboutNewProblem(v.telnyx, phone());
      const waiting = await waitForStatus(handle(), 'awaiting_approval');
      await waitToHear(v.telnyx, callId, 'six digit code');
      const code = await readLatestCode(v.mail.outbox, email(), seen);
      const wrong = code === '000000' ? '111111' : '000000';
      for (let left = 4; left >= 1; left--) {
        v.telnyx.press(callId, wrong);
        await waitToHear(v.telnyx, callId, `You have ${left} ${left === 1 ? 'try' : 'tries'} left`);
      }
      v.telnyx.press(callId, wrong);
      const heard = await waitToHear(v.telnyx, callId, prompts.codeDead);
      // No lockout is announced: the code died, the customer did not.
      expect(heard.join(' ')).not.toMatch(/locked|15 minutes/);
      // Even the right code is no use now.
      v.telnyx.press(callId, code);
      expect((await stateOf(handle())).decisions).toEqual([]);
      expect((await approve(v.stack, waiting.caseId, waiting.proposal!.actionId)).status).toBe(200);
      expect((await handle().result()).status).toBe('resolved');
    } finally {
      // Codes and their counts are per customer: the next tests start clean.
      await OneTimeCode.deleteMany({});
      await stopDevice(v.stack, device);
    }
  });

  it('the caller hanging up mid-approval leaves the case waiting; the portal approves later', async () => {
    const device = connectPi(v.stack, 'modem-hung');
    try {
      const callId = await callAboutNewProblem(v.telnyx, phone());
      await waitToHear(v.telnyx, callId, prompts.opened(false));
      const waiting = await waitForStatus(handle(), 'awaiting_approval');
      await waitToHear(v.telnyx, callId, 'six digit code');
      v.telnyx.hangup(callId);
      await eventually(
        async () =>
          (await AuditEntry.exists({ caseId: waiting.caseId, actionType: 'call_hangup' })) !== null,
        { what: 'the hang-up in the audit trail' },
      );
      // Late events for the ended call change nothing; the case keeps waiting.
      v.telnyx.press(callId, '123456');
      await new Promise((r) => setTimeout(r, 1500));
      const still = await waitForStatus(handle(), 'awaiting_approval');
      expect(still.decisions).toEqual([]);

      const res = await approve(v.stack, waiting.caseId, waiting.proposal!.actionId);
      expect(res.status).toBe(200);
      expect((await handle().result()).status).toBe('resolved');
      expect(device.network.applied.map((a) => a.action)).toEqual(['power_cycle_modem']);
    } finally {
      await stopDevice(v.stack, device);
    }
  });

  it('phone and portal approving at the same moment: exactly one wins, the fix runs once', async () => {
    const device = connectPi(v.stack, 'gateway-unreachable');
    try {
      const seen = mailsTo(v.mail.outbox, email());
      const callId = await callAboutNewProblem(v.telnyx, phone());
      await waitToHear(v.telnyx, callId, prompts.opened(false));
      const waiting = await waitForStatus(handle(), 'awaiting_approval');
      await waitToHear(v.telnyx, callId, 'six digit code');
      v.telnyx.press(callId, await readLatestCode(v.mail.outbox, email(), seen));
      await waitToHear(v.telnyx, callId, 'Press 1 to approve');

      const [portal] = await Promise.all([
        approve(v.stack, waiting.caseId, waiting.proposal!.actionId),
        Promise.resolve(v.telnyx.press(callId, '1')),
      ]);
      const heard = await eventually(
        async () => {
          const lines = v.telnyx.heard(callId);
          return lines.includes(prompts.approved) || lines.includes(prompts.alreadyDecided)
            ? lines
            : undefined;
        },
        { what: `the phone decision outcome (portal: ${JSON.stringify(portal)})` },
      );
      const phoneWon = heard.includes(prompts.approved);
      expect(portal.status === 200).toBe(!phoneWon);
      if (phoneWon) expect(portal.status).toBe(409);
      else expect(heard).toContain(prompts.alreadyDecided);

      const final = await handle().result();
      expect(final.status).toBe('resolved');
      expect(final.decisions).toHaveLength(1);
      expect(final.decisions[0]!.channel).toBe(phoneWon ? 'phone' : 'api');
      expect(device.network.applied).toHaveLength(1);
    } finally {
      await stopDevice(v.stack, device);
    }
  });

  it('no caller on any of these calls heard an internal word', () => {
    const heard = [...v.telnyx.calls.values()].flatMap((c) => c.heard);
    expect(heard.length).toBeGreaterThan(20);
    expectPlainWords(heard);
  });
});
