import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type Telnyx from 'telnyx';
import { closedStatuses } from '../../contracts/case';
import { Customer } from '../../store/models';
import { reportStillBroken } from '../followUp';
import { openCase, SubscriptionRefused, type CaseDefaults } from '../openCase';
import { customerByPhone } from '../tenancy/phones';
import { chooseBox, loadBoxes, type Box } from './boxChoice';
import { CallCommands } from './callCommands';
import { decodeState, encodeState, type ClientState, type WebhookEventData } from './callEvents';
import { CallQueue } from './callQueue';
import type { CallSession } from './callSession';
import { CaseLink, principalOf, TEMPORAL_DEADLINE_MS } from './caseLink';
import { PhoneApproval } from './phoneApproval';
import { PhoneRating } from './phoneRating';
import { prompts } from './prompts';

// The phone channel's state machine. One inbound call: answer, greet the
// business, choose the Zen box the call is about (./boxChoice), open or join
// its case, speak its progress; when a fix waits for approval, the caller hears
// what is wrong and what the fix does, keys the emailed one-time code, then 1
// or 2 (./phoneApproval). A box whose case was closed as fixed lately: the
// caller may say it is still broken, which reopens it with a person
// (../followUp). A case that closes while the caller is on asks how we did
// (./phoneRating). Each call's events run one at a time, each step with
// a bounded time (./callQueue), and no call waits for another. An event for an
// unknown call or for a phase the call has left is ignored, so duplicates and
// late or out-of-order events do no harm. A hang-up only ends the call: the
// case carries on. What a call says goes out as Call Control commands
// (./callCommands); what it hears of its case comes from Temporal (./caseLink).
// A call's session lives in this process: with several API instances, an event
// for a call another instance holds is passed to it (./callHandoff).

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
  /** How long the caller has to key a rating when the case closes (shorter: it is optional). */
  ratingTimeoutMs?: number;
  /** The longest one step of a call may take before the call's next step goes ahead. */
  stepTimeoutMs?: number;
  log?: (message: string, err?: unknown) => void;
}

/** The account a call is for: its code e-mail goes to the account's address. */
export interface CallCustomer {
  _id: string;
  primaryPhone: string;
  email: string;
  businessName: string;
}

/** Opening waits for the case to take the caller in (update-with-start), which can be slower. */
const OPEN_DEADLINE_MS = 30_000;

export class CallFlow {
  private readonly sessions = new Map<string, CallSession>();
  /** Calls we placed, by the nonce in their client_state, until Telnyx says they answered. */
  private readonly outbound = new Map<string, CallSession>();
  /** Calls that have ended, so late events for them are ignored (bounded). */
  private readonly ended = new Set<string>();
  private readonly queue: CallQueue;
  private readonly calls: CallCommands;
  private readonly cases: CaseLink;
  private readonly approval: PhoneApproval;
  private readonly rating: PhoneRating;
  private readonly pollMs: number;
  private readonly log: (message: string, err?: unknown) => void;

  constructor(private readonly options: CallFlowOptions) {
    this.pollMs = options.pollMs ?? 1000;
    this.log =
      options.log ??
      ((message, err) =>
        console.error(`[voice] ${message}`, err instanceof Error ? err.message : ''));
    this.queue = new CallQueue(options.stepTimeoutMs ?? 45_000, (id, err) =>
      this.onStepFailed(id, err),
    );
    this.calls = new CallCommands({
      telnyx: options.telnyx,
      gatherTimeoutMs: options.gatherTimeoutMs ?? 30_000,
      ratingTimeoutMs: options.ratingTimeoutMs ?? 10_000,
      onEnded: (id) => this.onCallGone(id),
    });
    this.cases = new CaseLink(options.temporal, this.log);
    this.approval = new PhoneApproval({
      temporal: options.temporal,
      deadlineMs: TEMPORAL_DEADLINE_MS,
      say: (session, text, state) => this.calls.say(session.id, text, state),
      gather: (session, text, p) => this.calls.gather(session.id, text, p),
      caseState: (session) => this.cases.caseState(session),
      signal: (session, type) => this.cases.signal(session, type),
    });
    this.rating = new PhoneRating({
      say: (session, text, state) => this.calls.say(session.id, text, state),
      gather: (session, text) => this.calls.gather(session.id, text, 'rate'),
    });
  }

  /**
   * Whether this instance holds the event's call: it has the call's session, or it placed
   * the call and waits for its answer (the nonce in client_state).
   */
  holds(event: WebhookEventData): boolean {
    if (this.sessions.has(event.payload.call_control_id)) return true;
    const nonce = decodeState(event.payload.client_state)?.o;
    return nonce !== undefined && this.outbound.has(nonce);
  }

  /**
   * Takes one verified, first-seen webhook event: queued behind the call's
   * earlier events, so the webhook can be answered at once.
   */
  accept(event: WebhookEventData): Promise<void> {
    return this.queue.run(event.payload.call_control_id, () => this.handle(event));
  }

  /**
   * Calls the customer about a case their Zen box opened (when they opted in).
   * A call that cannot be placed is logged: the case goes on without it.
   */
  async callCustomer(customerId: string, workflowId: string): Promise<void> {
    const customer = await Customer.findById(customerId).lean();
    if (!customer?.callOnAgentFault) return;
    try {
      await this.dial(customer, workflowId, customer.primaryPhone);
    } catch (err) {
      this.log('could not place the proactive call', err);
    }
  }

  /**
   * Rings `to` (a contact the notifier calls) about the customer's case, with the same
   * outbound flow. Returns the call's id; throws what Telnyx answered when it was not placed.
   */
  async callContact(
    customer: CallCustomer,
    workflowId: string,
    to: string,
  ): Promise<string | undefined> {
    return this.dial(customer, workflowId, to);
  }

  /** The session waits under a nonce: the answer may arrive before dial() returns. */
  private async dial(
    customer: CallCustomer,
    workflowId: string,
    to: string,
  ): Promise<string | undefined> {
    const { connectionId, fromNumber } = this.options;
    const nonce = randomUUID();
    const session = this.newSession('', customer);
    // Said on record (the decision's actor) as the number that was rung.
    session.from = to;
    session.workflowId = workflowId;
    session.outbound = true;
    this.outbound.set(nonce, session);
    try {
      const answer = await this.options.telnyx.calls.dial({
        connection_id: connectionId ?? 'zen-support',
        to,
        from: fromNumber ?? '+15550000100',
        client_state: encodeState({ p: 'greet', o: nonce }),
      });
      return answer.data?.call_control_id;
    } catch (err) {
      this.outbound.delete(nonce);
      throw err;
    }
  }

  /** Ends every poller (API shutdown). */
  close(): void {
    for (const session of this.sessions.values()) clearInterval(session.poller);
    this.sessions.clear();
  }

  // ---- events ---------------------------------------------------------------

  private async handle(event: WebhookEventData): Promise<void> {
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
        return this.onGatherEnded(id, state, p.digits ?? '', p.status);
      case 'call.hangup':
        return this.onHangup(id, state);
      default:
        return;
    }
  }

  private async onInitiated(id: string, from: string): Promise<void> {
    if (this.sessions.has(id) || this.ended.has(id)) return;
    const customer = await customerByPhone(from);
    if (!customer) {
      // Unknown caller: a polite message, then goodbye. Nothing else happens.
      await this.calls.answer(id, { p: 'unknown' });
      return;
    }
    this.sessions.set(id, this.newSession(id, customer));
    await this.calls.answer(id, { p: 'greet' });
  }

  private async onAnswered(id: string, state: ClientState | undefined): Promise<void> {
    if (state?.p === 'unknown' && !this.ended.has(id)) {
      await this.calls.say(id, prompts.unknownCaller, { p: 'bye' });
      return;
    }
    const placed = state?.o ? this.outbound.get(state.o) : undefined;
    if (placed) {
      this.outbound.delete(state!.o!);
      placed.id = id;
      this.sessions.set(id, placed);
      await this.calls.say(id, prompts.proactive(placed.businessName));
      await this.cases.follow(placed);
      await this.cases.signal(placed, 'answered');
      await this.startProgress(placed);
      return;
    }
    const session = this.sessions.get(id);
    if (!session || session.phase !== 'opening' || session.workflowId) return;
    await this.calls.say(id, prompts.greeting(session.businessName));
    const choice = chooseBox(await loadBoxes(session.customerId));
    switch (choice.kind) {
      case 'none':
        session.phase = 'closing';
        await this.calls.say(id, prompts.noDevice, { p: 'done' });
        return;
      case 'one':
        return this.openFor(session, choice.box, choice.several);
      case 'ask':
        session.menu = choice.boxes;
        session.phase = 'choose';
        await this.calls.gather(id, prompts.chooseBox(choice.boxes.map((b) => b.place)), 'choose');
        return;
    }
  }

  private async onSpeakEnded(id: string, state: ClientState | undefined): Promise<void> {
    // The goodbye messages end the call once spoken.
    if (state?.p === 'bye' || state?.p === 'done') await this.calls.hangup(id);
  }

  private async onGatherEnded(
    id: string,
    state: ClientState | undefined,
    digits: string,
    status: string | undefined,
  ): Promise<void> {
    const session = this.sessions.get(id);
    // Only the gather this call is waiting for counts; stale or repeated ones do nothing.
    if (!session || !state || state.p !== session.phase) return;
    if (status === 'call_hangup') return;
    if (session.phase === 'choose') return this.onChoice(session, digits);
    if (session.phase === 'reopen') return this.onReopen(session, digits);
    if (session.phase === 'rate') return this.rating.answer(session, digits, status);
    if (status === 'timeout' || !digits) return this.approval.noAnswer(session);
    if (session.phase === 'code') return this.approval.checkCode(session, digits);
    if (session.phase === 'decide') return this.approval.decide(session, digits);
  }

  private async onChoice(session: CallSession, digits: string): Promise<void> {
    const box = session.menu?.[Number(digits) - 1];
    if (box) return this.openFor(session, box, true);
    session.menuTries += 1;
    if (session.menuTries >= 2 || !session.menu) {
      session.phase = 'closing';
      await this.calls.say(session.id, prompts.noChoice, { p: 'done' });
      return;
    }
    await this.calls.gather(
      session.id,
      prompts.chooseBox(session.menu.map((b) => b.place)),
      'choose',
    );
  }

  /** 1: still broken, a person takes it on; 2 or nothing: a new case checks the network. */
  private async onReopen(session: CallSession, digits: string): Promise<void> {
    const asked = session.reopen;
    session.reopen = undefined;
    if (!asked) return;
    if (digits !== '1') return this.openFor(session, asked.box, asked.several, false);
    session.phase = 'opening';
    const followUp = await this.options.temporal.withDeadline(Date.now() + OPEN_DEADLINE_MS, () =>
      reportStillBroken(
        this.options.temporal,
        principalOf(session),
        {
          caseId: asked.box.recentlyResolved!,
          channel: 'phone',
          words: 'The caller said on the phone that it is still not working.',
        },
        this.options.cases,
      ),
    );
    await this.cases.follow(session, followUp.workflowId);
    await this.cases.signal(session, 'answered');
    if (session.phase !== 'opening') return; // hung up meanwhile
    session.lastStatus = 'diagnosing';
    await this.calls.say(session.id, prompts.reopened(followUp.assignedOperator !== undefined));
    await this.startProgress(session);
  }

  private async onHangup(id: string, state: ClientState | undefined): Promise<void> {
    this.markEnded(id);
    // A call we placed that ended unanswered.
    if (state?.o) this.outbound.delete(state.o);
    const session = this.sessions.get(id);
    if (!session) return;
    clearInterval(session.poller);
    session.phase = 'ended';
    this.sessions.delete(id);
    // The case carries on; it only hears that the call ended.
    await this.cases.signal(session, 'hangup');
  }

  // ---- steps ------------------------------------------------------------------

  /**
   * Opens (or joins) the chosen box's case and starts following it; first asks whether a
   * case of that box closed as fixed lately is still broken.
   */
  private async openFor(
    session: CallSession,
    box: Box,
    several: boolean,
    askReopen = true,
  ): Promise<void> {
    session.menu = undefined;
    session.site = box.place;
    if (askReopen && box.recentlyResolved) {
      session.phase = 'reopen';
      session.reopen = { box, several };
      await this.calls.gather(
        session.id,
        prompts.askStillBroken(several ? box.place : undefined),
        'reopen',
      );
      return;
    }
    session.phase = 'opening';
    const principal = principalOf(session);
    const opened = await this.options.temporal.withDeadline(Date.now() + OPEN_DEADLINE_MS, () =>
      openCase(
        this.options.temporal,
        principal,
        {
          deviceId: box.deviceId,
          channel: 'phone',
          description: 'Customer called the support line',
          callerPhone: session.from,
        },
        this.options.cases,
      ),
    );
    await this.cases.follow(session, opened.workflowId);
    await this.cases.signal(session, 'answered');
    if (session.phase !== 'opening') return; // hung up meanwhile
    // A new case is checking the network, as the caller is told now.
    if (!opened.joined) session.lastStatus = 'diagnosing';
    await this.calls.say(
      session.id,
      prompts.opened(opened.joined, several ? box.place : undefined),
    );
    await this.startProgress(session);
  }

  private async startProgress(session: CallSession): Promise<void> {
    session.phase = 'progress';
    // One poller per call, even when a step that overran its time finishes late.
    clearInterval(session.poller);
    session.poller = setInterval(() => this.tick(session), this.pollMs);
    session.poller.unref();
    await this.progress(session);
  }

  /** One poll at a time: a slow poll is not queued up behind itself. */
  private tick(session: CallSession): void {
    if (session.polling || session.phase !== 'progress') return;
    session.polling = true;
    void this.queue.run(session.id, async () => {
      try {
        if (session.phase === 'progress') await this.progress(session);
      } finally {
        session.polling = false;
      }
    });
  }

  /** Reads the case and says what is new; asks for approval when a fix waits. */
  private async progress(session: CallSession): Promise<void> {
    const state = await this.cases.caseState(session);
    if (!state || session.phase !== 'progress') return;
    // A case handed to a person goes on without the caller: they hear what happens next.
    const handedOver = state.status === 'awaiting_technician' || state.status === 'with_technician';
    if (closedStatuses.includes(state.status) || handedOver) {
      const rate = handedOver
        ? 'no'
        : await this.rating.readiness(session, state.caseId, state.status);
      if (rate === 'wait') return;
      session.phase = 'closing';
      clearInterval(session.poller);
      const facts = {
        status: handedOver ? ('escalated' as const) : state.status,
        actionsTaken: state.actionsTaken,
        instructions: state.instructions,
        stepRead: session.manualStep !== undefined,
      };
      if (rate === 'no') return this.calls.say(session.id, prompts.closed(facts), { p: 'done' });
      await this.calls.say(session.id, prompts.closedNews(facts));
      await this.rating.ask(session);
      return;
    }
    if (await this.approval.offer(session, state)) return;
    // While the box cannot reach us, or a step on site waits, the caller hears it once per step.
    const manual = state.manualStep;
    if (manual && manual.title !== session.manualStep) {
      session.manualStep = manual.title;
      session.lastStatus = state.status;
      await this.calls.say(session.id, prompts.manualStep(manual));
      return;
    }
    // A case just opened is as good as checking: the caller was told so already.
    const status = state.status === 'open' ? 'diagnosing' : state.status;
    if (status !== session.lastStatus) {
      const news = manual ? undefined : prompts.status(status, session.lastStatus);
      session.lastStatus = status;
      if (news) await this.calls.say(session.id, news);
    }
  }

  /** A step threw or overran its time: the caller hears so, and the call goes on (or ends). */
  private async onStepFailed(id: string, err: unknown): Promise<void> {
    const session = this.sessions.get(id);
    if (err instanceof SubscriptionRefused && session && session.phase !== 'ended') {
      // No case opens: the caller hears why and what to do, then a polite goodbye.
      session.phase = 'closing';
      await this.calls.say(id, prompts.notServed(err.message), { p: 'done' });
      return;
    }
    this.log(`a step of call ${id} failed`, err);
    if (!session || session.phase === 'ended' || session.phase === 'closing') return;
    if (session.phase === 'rate') return this.rating.failed(session);
    if (!session.workflowId) {
      session.phase = 'closing';
      await this.calls.say(id, prompts.trouble, { p: 'done' });
      return;
    }
    this.approval.settle(session);
    if (!session.poller) {
      await this.calls.say(id, prompts.trouble);
      await this.startProgress(session);
      return;
    }
    await this.calls.say(id, prompts.trouble);
  }

  // ---- sessions -------------------------------------------------------------------

  private newSession(id: string, customer: CallCustomer): CallSession {
    return {
      id,
      from: customer.primaryPhone,
      customerId: customer._id,
      email: customer.email,
      businessName: customer.businessName,
      phase: 'opening',
      settled: new Set(),
      menuTries: 0,
      polling: false,
    };
  }

  /** A command found the call ended: its session ends quietly. */
  private onCallGone(id: string): void {
    this.markEnded(id);
    const session = this.sessions.get(id);
    if (session && session.phase !== 'ended') {
      clearInterval(session.poller);
      session.phase = 'ended';
    }
  }

  private markEnded(id: string): void {
    this.ended.add(id);
    if (this.ended.size > 10_000) {
      const oldest = this.ended.values().next().value;
      if (oldest !== undefined) this.ended.delete(oldest);
    }
  }
}
