import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type Telnyx from 'telnyx';
import { closedStatuses } from '../../contracts/case';
import { Customer, Device } from '../../store/models';
import {
  callEventSignal,
  caseStateQuery,
  decideRemediationUpdate,
  type CaseState,
  type ManualStep,
} from '../../workflows/messages';
import type { Principal } from '../auth';
import { openCase, type CaseDefaults } from '../openCase';
import { attemptsLeft, LockedOut, sendCode, verifyCode } from '../identity/otp';
import { isCallEnded } from './telnyxClient';

// The phone channel's state machine. One inbound call: answer, greet the
// business, open or join its device's case, speak progress; when a fix waits
// for approval, the caller keys the emailed one-time code, then 1 (approve) or
// 2 (decline), and the decision goes through the case's decideRemediation
// Update like the portal's. Each call's events run one at a time; an event for
// an unknown call or for a phase the call has left is ignored, so duplicates
// and late or out-of-order events do no harm. A hang-up only ends the call:
// the case carries on.

export interface WebhookEventData {
  id: string;
  event_type: string;
  payload: {
    call_control_id: string;
    client_state?: string | null;
    from?: string;
    to?: string;
    direction?: string;
    digits?: string;
    status?: string;
  };
}

type Phase = 'opening' | 'progress' | 'code' | 'decide' | 'closing' | 'ended';

/** Round-tripped by Telnyx in client_state (base64 JSON). */
interface ClientState {
  p: 'unknown' | 'bye' | 'greet' | 'code' | 'decide' | 'done';
  /** On a call we placed: which pending outbound session it belongs to. */
  o?: string;
}

interface CallSession {
  id: string;
  from: string;
  customerId: string;
  email: string;
  businessName: string;
  workflowId?: string;
  phase: Phase;
  actionId?: string;
  title?: string;
  /** Fixes this call will not ask about again (decided, declined on the phone, locked out). */
  settled: Set<string>;
  lastStep?: string;
  /** The title of the manual step last read out, so it is read once. */
  manualStep?: string;
  poller?: NodeJS.Timeout;
  chain: Promise<void>;
  /** We called the customer about a case the Zen box opened. */
  outbound?: boolean;
}

export interface CallFlowOptions {
  temporal: Client;
  telnyx: Telnyx;
  cases: CaseDefaults;
  /** For calls we place: the Telnyx connection and our caller ID. */
  connectionId?: string;
  fromNumber?: string;
  /** How often a call in progress checks its case. */
  pollMs?: number;
  /** How long the caller has to key digits. */
  gatherTimeoutMs?: number;
  log?: (message: string, err?: unknown) => void;
}

const VOICE = 'female';
const LANGUAGE = 'en-US';

export const prompts = {
  unknownCaller:
    'Thank you for calling. This number is for Zen and Zen customers, and we could not match ' +
    'the number you are calling from to an account. Please call from the phone number on ' +
    'your account, or contact us through our website. Goodbye.',
  proactive: (business: string) =>
    `Hello ${business}, this is Zen and Zen network support. Your Zen box has noticed a ` +
    'problem on your network, and a support case is open.',
  greeting: (business: string) =>
    `Hello ${business}, this is Zen and Zen network support. ` +
    'One moment while I look at your network.',
  noDevice: 'We have no Zen box registered for your account yet, so I cannot open a case. Goodbye.',
  opened: (joined: boolean) =>
    joined
      ? 'You already have an open support case, and I have joined this call to it.'
      : 'I have opened a support case and your Zen box is checking the network now.',
  step: (step: string) => `Update: ${step}.`,
  manualStep: (step: ManualStep) =>
    step.awaitsWord
      ? `You can fix this yourself. ${sentence(step.title)} ${step.because} ` +
        step.steps.map((s, i) => `Step ${i + 1}: ${s}`).join(' ') +
        ' When you have done it, press "I have done this" on your case in the portal, and your Zen box will check the network again.'
      : `Your Zen box cannot reach us right now. ${sentence(step.title)} ${step.because} ` +
        step.steps.map((s, i) => `Step ${i + 1}: ${s}`).join(' ') +
        ' Stay on the line if you like: I will tell you when your Zen box is back.',
  askCode: (title: string) =>
    `We have a fix ready: ${title}. To approve it, please key in the six digit code ` +
    'we just emailed you.',
  wrongCode: (left: number) =>
    `That code is not right. You have ${left} ${left === 1 ? 'try' : 'tries'} left. ` +
    'Please key in the code again.',
  expiredCode: 'That code has expired. I have emailed you a new one. Please key it in.',
  locked:
    'That was too many wrong codes, so approving by phone is locked for now. ' +
    'You can still approve the fix in the portal.',
  askDecision: (title: string) => `Press 1 to approve: ${title}. Press 2 to decline.`,
  approved:
    'Thank you. The fix is approved and your Zen box is carrying it out now. ' +
    'Stay on the line to hear how it goes.',
  declined: 'Understood: the fix is declined. A technician will follow up on your case.',
  alreadyDecided: 'This fix was already decided in the portal.',
  notAccepted: (reason: string) => `Your answer could not be accepted: ${reason}.`,
  noAnswer: 'I did not hear an answer. You can also approve the fix in the portal.',
  closed: (state: CaseState) =>
    `Your case is ${state.status}. ${sentence(state.status === 'escalated' ? (state.instructions ?? 'A technician will contact you') : state.step)} Thank you for calling Zen and Zen. Goodbye.`,
};

export class CallFlow {
  private readonly sessions = new Map<string, CallSession>();
  /** Calls we placed, by the nonce in their client_state, until Telnyx says they answered. */
  private readonly outbound = new Map<string, CallSession>();
  /** Calls that have ended, so late events for them are ignored (bounded). */
  private readonly ended = new Set<string>();
  private readonly pollMs: number;
  private readonly gatherTimeoutMs: number;
  private readonly log: (message: string, err?: unknown) => void;

  constructor(private readonly options: CallFlowOptions) {
    this.pollMs = options.pollMs ?? 1000;
    this.gatherTimeoutMs = options.gatherTimeoutMs ?? 30_000;
    this.log =
      options.log ??
      ((message, err) =>
        console.error(`[voice] ${message}`, err instanceof Error ? err.message : ''));
  }

  /** Handles one verified, first-seen webhook event. */
  async handle(event: WebhookEventData): Promise<void> {
    const p = event.payload;
    const id = p.call_control_id;
    const state = decodeState(p.client_state);
    switch (event.event_type) {
      case 'call.initiated':
        if (p.direction === 'incoming') await this.onInitiated(id, p.from ?? '');
        return;
      case 'call.answered':
        return this.onAnswered(id, state);
      case 'call.speak.ended':
        return this.onSpeakEnded(id, state);
      case 'call.gather.ended':
        return this.inCall(id, (s) => this.onGatherEnded(s, state, p.digits ?? '', p.status));
      case 'call.hangup':
        return this.onHangup(id);
      default:
        return;
    }
  }

  /**
   * Calls the customer about a case their Zen box opened (when they opted in).
   * The session waits under a nonce: the answer may arrive before dial() returns.
   */
  async callCustomer(customerId: string, workflowId: string): Promise<void> {
    const { connectionId, fromNumber } = this.options;
    const customer = await Customer.findById(customerId).lean();
    if (!customer?.callOnAgentFault) return;
    const nonce = randomUUID();
    const session: CallSession = {
      id: '',
      from: customer.primaryPhone,
      customerId: customer._id,
      email: customer.email,
      businessName: customer.businessName,
      workflowId,
      phase: 'opening',
      settled: new Set(),
      chain: Promise.resolve(),
      outbound: true,
    };
    this.outbound.set(nonce, session);
    try {
      await this.options.telnyx.calls.dial({
        connection_id: connectionId ?? 'zen-support',
        to: customer.primaryPhone,
        from: fromNumber ?? '+15550000100',
        client_state: encodeState({ p: 'greet', o: nonce }),
      });
    } catch (err) {
      this.outbound.delete(nonce);
      this.log('could not place the proactive call', err);
    }
  }

  /** Ends every poller (API shutdown). */
  close(): void {
    for (const session of this.sessions.values()) clearInterval(session.poller);
    this.sessions.clear();
  }

  // ---- events ---------------------------------------------------------------

  private async onInitiated(id: string, from: string): Promise<void> {
    if (this.sessions.has(id) || this.ended.has(id)) return;
    const customer = await Customer.findOne({ primaryPhone: from }).lean();
    if (!customer) {
      // Unknown caller: a polite message, then goodbye. Nothing else happens.
      await this.command(id, (c) => c.answer(id, { client_state: encodeState({ p: 'unknown' }) }));
      return;
    }
    this.sessions.set(id, {
      id,
      from,
      customerId: customer._id,
      email: customer.email,
      businessName: customer.businessName,
      phase: 'opening',
      settled: new Set(),
      chain: Promise.resolve(),
    });
    await this.command(id, (c) => c.answer(id, { client_state: encodeState({ p: 'greet' }) }));
  }

  private async onAnswered(id: string, state: ClientState | undefined): Promise<void> {
    if (state?.p === 'unknown' && !this.ended.has(id)) {
      await this.say(id, prompts.unknownCaller, { p: 'bye' });
      return;
    }
    const placed = state?.o ? this.outbound.get(state.o) : undefined;
    if (placed) {
      this.outbound.delete(state!.o!);
      placed.id = id;
      this.sessions.set(id, placed);
      await this.inCall(id, async (session) => {
        await this.say(id, prompts.proactive(session.businessName));
        await this.signal(session, 'answered');
        session.phase = 'progress';
        session.poller = setInterval(() => void this.tick(id), this.pollMs);
        session.poller.unref();
        await this.progress(session);
      });
      return;
    }
    await this.inCall(id, async (session) => {
      if (session.phase !== 'opening' || session.workflowId) return;
      await this.say(id, prompts.greeting(session.businessName));
      const device = await Device.findOne({ customerId: session.customerId })
        .sort({ createdAt: 1 })
        .lean();
      if (!device) {
        session.phase = 'closing';
        await this.say(id, prompts.noDevice, { p: 'done' });
        return;
      }
      const principal: Principal = {
        id: `phone:${session.from}`,
        role: 'customer',
        customerId: session.customerId,
      };
      const opened = await openCase(
        this.options.temporal,
        principal,
        {
          deviceId: device.deviceId,
          channel: 'phone',
          description: 'Customer called the support line',
          callerPhone: session.from,
        },
        this.options.cases,
      );
      session.workflowId = opened.workflowId;
      await this.signal(session, 'answered');
      if (session.phase !== 'opening') return; // hung up meanwhile
      session.phase = 'progress';
      await this.say(id, prompts.opened(opened.joined));
      session.poller = setInterval(() => void this.tick(id), this.pollMs);
      session.poller.unref();
      await this.progress(session);
    });
  }

  private async onSpeakEnded(id: string, state: ClientState | undefined): Promise<void> {
    // The goodbye messages end the call once spoken.
    if (state?.p === 'bye' || state?.p === 'done') {
      await this.command(id, (c) => c.hangup(id, {}));
    }
  }

  private async onGatherEnded(
    session: CallSession,
    state: ClientState | undefined,
    digits: string,
    status: string | undefined,
  ): Promise<void> {
    // Only the gather this call is waiting for counts; stale or repeated ones do nothing.
    if (!state || state.p !== session.phase) return;
    if (status === 'call_hangup') return;
    if (status === 'timeout' || !digits) {
      await this.signal(session, 'gather_timeout');
      this.settle(session);
      await this.say(session.id, prompts.noAnswer);
      return;
    }
    if (session.phase === 'code') return this.checkCode(session, digits);
    if (session.phase === 'decide') return this.decide(session, digits);
  }

  private async onHangup(id: string): Promise<void> {
    this.markEnded(id);
    const session = this.sessions.get(id);
    if (!session) return;
    clearInterval(session.poller);
    // Wait for whatever the call was doing, then tell the case; the case carries on.
    await this.inCall(id, async (s) => {
      s.phase = 'ended';
      this.sessions.delete(id);
      await this.signal(s, 'hangup');
    });
  }

  // ---- steps ------------------------------------------------------------------

  private async tick(id: string): Promise<void> {
    const session = this.sessions.get(id);
    if (!session || session.phase !== 'progress') return;
    await this.inCall(id, (s) => (s.phase === 'progress' ? this.progress(s) : undefined)).catch(
      (err) => this.log(`poll of call ${id} failed`, err),
    );
  }

  /** Reads the case and says what is new; asks for approval when a fix waits. */
  private async progress(session: CallSession): Promise<void> {
    const state = await this.caseState(session);
    if (!state) return;
    if (closedStatuses.includes(state.status)) {
      session.phase = 'closing';
      clearInterval(session.poller);
      await this.say(session.id, prompts.closed(state), { p: 'done' });
      return;
    }
    const proposal = state.proposal;
    if (
      state.status === 'awaiting_approval' &&
      proposal &&
      !session.settled.has(proposal.actionId) &&
      !state.decisions.some((d) => d.actionId === proposal.actionId)
    ) {
      session.actionId = proposal.actionId;
      session.title = proposal.title;
      session.lastStep = state.step;
      try {
        await this.sendCode(session);
      } catch (err) {
        if (!(err instanceof LockedOut)) throw err;
        this.settle(session);
        await this.say(session.id, prompts.locked);
        return;
      }
      session.phase = 'code';
      await this.gather(session, prompts.askCode(proposal.title), 'code');
      return;
    }
    // While the box cannot reach us, or a step on site waits, the caller hears it once per step.
    const manual = state.manualStep;
    if (manual && manual.title !== session.manualStep) {
      session.manualStep = manual.title;
      session.lastStep = state.step;
      await this.say(session.id, prompts.manualStep(manual));
      return;
    }
    if (state.step !== session.lastStep && !/^(Phone call|Joined through)/.test(state.step)) {
      session.lastStep = state.step;
      await this.say(session.id, prompts.step(state.step));
    }
  }

  private async checkCode(session: CallSession, digits: string): Promise<void> {
    const subject = { customerId: session.customerId, purpose: 'phone-approval' as const };
    const verdict = await verifyCode(subject, digits);
    switch (verdict) {
      case 'ok':
        session.phase = 'decide';
        await this.gather(session, prompts.askDecision(session.title ?? 'the fix'), 'decide');
        return;
      case 'wrong':
        await this.gather(session, prompts.wrongCode(await attemptsLeft(subject)), 'code');
        return;
      case 'expired':
        await this.sendCode(session);
        await this.gather(session, prompts.expiredCode, 'code');
        return;
      case 'locked':
        this.settle(session);
        await this.say(session.id, prompts.locked);
        return;
    }
  }

  private async decide(session: CallSession, digits: string): Promise<void> {
    const approved = digits.startsWith('1');
    const actionId = session.actionId!;
    this.settle(session);
    try {
      await this.options.temporal.workflow
        .getHandle(session.workflowId!)
        .executeUpdate(decideRemediationUpdate, {
          args: [
            {
              actionId,
              approved,
              note: 'Keyed in on the phone after the emailed code',
              actor: {
                id: `phone:${session.from}`,
                role: 'customer',
                customerId: session.customerId,
              },
              channel: 'phone',
            },
          ],
        });
    } catch (err) {
      if (!(err instanceof WorkflowUpdateFailedError)) throw err;
      // Lost the race: the portal (or an operator) decided first.
      const state = await this.caseState(session).catch(() => undefined);
      const reason = err.cause?.message ?? err.message;
      const decided =
        /^Already (approved|declined)/.test(reason) ||
        Boolean(state?.decisions.some((d) => d.actionId === actionId));
      await this.say(session.id, decided ? prompts.alreadyDecided : prompts.notAccepted(reason));
      return;
    }
    await this.say(session.id, approved ? prompts.approved : prompts.declined);
  }

  /** This fix is done with as far as the call goes: back to speaking progress. */
  private settle(session: CallSession): void {
    if (session.actionId) session.settled.add(session.actionId);
    if (session.phase !== 'ended' && session.phase !== 'closing') session.phase = 'progress';
  }

  // ---- effects --------------------------------------------------------------------

  private async sendCode(session: CallSession): Promise<void> {
    await sendCode({
      customerId: session.customerId,
      email: session.email,
      purpose: 'phone-approval',
    });
  }

  private async caseState(session: CallSession): Promise<CaseState | undefined> {
    if (!session.workflowId) return undefined;
    return this.options.temporal.workflow.getHandle(session.workflowId).query(caseStateQuery);
  }

  private async signal(session: CallSession, type: 'answered' | 'hangup' | 'gather_timeout') {
    if (!session.workflowId) return;
    await this.options.temporal.workflow
      .getHandle(session.workflowId)
      .signal(callEventSignal, { type, callControlId: session.id })
      .catch((err) => {
        // A case that has finished needs no news of the call.
        if (!(err instanceof WorkflowNotFoundError)) {
          this.log(`call event ${type} did not reach the case`, err);
        }
      });
  }

  private async say(id: string, text: string, state?: ClientState): Promise<void> {
    await this.command(id, (c) =>
      c.speak(id, {
        payload: text,
        voice: VOICE,
        language: LANGUAGE,
        ...(state ? { client_state: encodeState(state) } : {}),
      }),
    );
  }

  private async gather(session: CallSession, prompt: string, p: 'code' | 'decide'): Promise<void> {
    const code = p === 'code';
    await this.command(session.id, (c) =>
      c.gatherUsingSpeak(session.id, {
        payload: prompt,
        voice: VOICE,
        language: LANGUAGE,
        minimum_digits: code ? 6 : 1,
        maximum_digits: code ? 6 : 1,
        valid_digits: code ? '0123456789' : '12',
        timeout_millis: this.gatherTimeoutMs,
        client_state: encodeState({ p }),
      }),
    );
  }

  /** A command to a call that has ended (422, 90018) ends the call's session quietly. */
  private async command(id: string, run: (calls: Telnyx['calls']['actions']) => Promise<unknown>) {
    try {
      await run(this.options.telnyx.calls.actions);
    } catch (err) {
      if (!isCallEnded(err)) throw err;
      this.markEnded(id);
      const session = this.sessions.get(id);
      if (session && session.phase !== 'ended') {
        clearInterval(session.poller);
        session.phase = 'ended';
      }
    }
  }

  /** Runs `fn` for a known call, after whatever that call is already doing. */
  private inCall(id: string, fn: (session: CallSession) => Promise<void> | void): Promise<void> {
    const session = this.sessions.get(id);
    if (!session) return Promise.resolve();
    const run = session.chain.then(() => fn(session));
    session.chain = run.catch(() => undefined);
    return run;
  }

  private markEnded(id: string): void {
    this.ended.add(id);
    if (this.ended.size > 10_000) {
      const oldest = this.ended.values().next().value;
      if (oldest !== undefined) this.ended.delete(oldest);
    }
  }
}

export function encodeState(state: ClientState): string {
  return Buffer.from(JSON.stringify(state)).toString('base64');
}

export function decodeState(value: string | null | undefined): ClientState | undefined {
  if (!value) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as ClientState;
    return typeof parsed?.p === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Ends spoken text with exactly one full stop. */
function sentence(text: string): string {
  return `${text.replace(/[.\s]+$/, '')}.`;
}
