import { condition, setHandler, type CancellationScope } from '@temporalio/workflow';
import type { StepRecord } from '../activities/caseStore';
import type { Actor, CaseChannel } from '../contracts/case';
import {
  callEventSignal,
  caseStateQuery,
  closeCaseSignal,
  customerStepDoneUpdate,
  decideRemediationUpdate,
  deviceConnectionSignal,
  joinCaseUpdate,
  takeOverUpdate,
  type CaseInput,
  type CaseState,
  type CloseRequest,
  type Decision,
  type FollowUpOf,
  type Proposal,
  type StepDoneRequest,
} from './messages';
import { channelWords } from './progressWords';
import { isStaff } from './staff';

// What a case hears from outside: its query, updates and signals, registered
// once at its start. What they leave for the case's steps is in its Inbox.

/** What a step adds to the case's record beside its text. */
export type RecordExtra = Partial<
  Pick<StepRecord, 'actor' | 'channel' | 'details' | 'userApproved' | 'report' | 'internal'>
> &
  Pick<StepRecord, 'diagnosticData' | 'remediationAction'>;
/** Records a step of the case (its document, audit trail and live view). */
export type RecordStep = (actionType: string, text: string, extra?: RecordExtra) => Promise<void>;

export interface Inbox {
  /** The first close asked for; the case's main scope is cancelled with it. */
  closeRequest?: CloseRequest;
  /** The customer's word that the step on site is done; one such step per case. */
  stepDone?: StepDoneRequest;
  /** Connection signals so far: one that arrives while a check runs is newer than its answer. */
  connectionSignals: number;
  /** The case document exists: a join answers only then. */
  caseRecorded: boolean;
  /** Links the case to the closed one it follows up and records the person assigned. */
  followUp(request: FollowUpOf, actor: Actor, channel: CaseChannel): Promise<void>;
}

export interface MessageContext {
  input: CaseInput;
  state: CaseState;
  /** The case's steps: a close cancels them. */
  main: CancellationScope;
  since: (patch: string) => boolean;
  sinceDec06: (patch: string) => boolean;
  record: RecordStep;
  isClosed: () => boolean;
  /** A take-over of a case already with the technicians claims it (workflows/technician.ts). */
  tookOver: (operator: Actor) => void;
}

export function decisionFor(state: CaseState, proposal: Proposal): Decision | undefined {
  return state.decisions.find((d) => d.actionId === proposal.actionId);
}

export function handleMessages({
  input,
  state,
  main,
  since,
  sinceDec06,
  record,
  isClosed,
  tookOver,
}: MessageContext): Inbox {
  const inbox: Inbox = { connectionSignals: 0, caseRecorded: false, followUp };

  async function followUp(
    { ofCaseId, assignedOperator }: FollowUpOf,
    actor: Actor,
    channel: CaseChannel,
  ) {
    const first = state.followUpOf === undefined;
    state.followUpOf ??= ofCaseId;
    const assign = assignedOperator !== undefined && state.assignedOperator === undefined;
    if (assign) state.assignedOperator = assignedOperator;
    if (!first && !assign) return;
    await record(
      'still_broken_follow_up',
      assign
        ? 'You told us it is still not working: a Zen & Zen technician is assigned, and the Zen box checks your network again'
        : 'You told us it is still not working: the Zen box checks your network again for the technician',
      { actor, channel, details: { followUpOf: ofCaseId, assignedOperator } },
    );
  }

  function mayDecide(actor: Actor): boolean {
    return isStaff(actor) || (actor.role === 'customer' && actor.customerId === input.customerId);
  }

  setHandler(caseStateQuery, () => state);

  setHandler(joinCaseUpdate, async (request) => {
    const { caseId, channel, actor } = request;
    // Answer once the case document exists, so the caller can read it right away.
    // Cases from before this change answered at once.
    if (since('join-after-case-recorded')) await condition(() => inbox.caseRecorded);
    if (!state.channels.includes(channel)) state.channels.push(channel);
    const joined = caseId !== state.caseId;
    if (!joined) return { caseId: state.caseId, joined };
    // Every reporter's words are kept. Cases from before this change dropped a joiner's.
    const words =
      request.description && sinceDec06('reports-of-every-reporter')
        ? request.description
        : undefined;
    if (words)
      state.reports = [...(state.reports ?? []), { at: Date.now(), channel, actor, words }];
    void record(
      'case_joined',
      words
        ? `Joined through ${channelWords[channel]}, with another description of the problem`
        : `Joined through ${channelWords[channel]}`,
      {
        actor,
        channel,
        details: words ? { words } : {},
        report: words ? state.reports!.at(-1) : undefined,
      },
    );
    // A closed case of this box said to be still broken, while this one is open: it takes
    // the follow-up (a person assigned). Cases from before this change had no follow-ups.
    if (request.followUp && sinceDec06('still-broken-follow-up')) {
      void followUp(request.followUp, actor, channel);
    }
    return { caseId: state.caseId, joined };
  });

  setHandler(
    decideRemediationUpdate,
    (request) => {
      // The validator has passed: record the first valid decision synchronously,
      // so a second one arriving in the same activation is already rejected.
      const decision: Decision = { ...request, at: Date.now() };
      state.decisions.push(decision);
      const proposal = state.proposal!;
      return {
        status: request.approved ? 'approved' : 'declined',
        executionStarted: request.approved,
        estimatedDuration: proposal.estimatedDuration,
      };
    },
    {
      validator: ({ actionId, actor }) => {
        const proposal = state.proposal;
        if (!proposal) throw new Error('No fix is waiting for approval in this case');
        if (proposal.actionId !== actionId) {
          throw new Error(`Action ${actionId} is not the fix waiting for approval`);
        }
        const earlier = decisionFor(state, proposal);
        if (earlier) {
          throw new Error(
            `Already ${earlier.approved ? 'approved' : 'declined'} through ${earlier.channel}`,
          );
        }
        if (!mayDecide(actor)) throw new Error('This person may not decide for this customer');
        if (Date.now() > proposal.expiresAt) throw new Error('The approval window has closed');
      },
    },
  );

  setHandler(
    customerStepDoneUpdate,
    (request) => {
      inbox.stepDone = request;
      return state;
    },
    {
      validator: ({ actor }) => {
        if (!state.manualStep?.awaitsWord) {
          throw new Error('No step is waiting for the customer in this case');
        }
        if (inbox.stepDone) {
          throw new Error(`Already said to be done through ${inbox.stepDone.channel}`);
        }
        if (!mayDecide(actor)) throw new Error('This person may not answer for this customer');
      },
    },
  );

  setHandler(
    takeOverUpdate,
    ({ operator }) => {
      state.assignedOperator = operator.id;
      tookOver(operator);
      // The operator's name is the API's to show (it resolves the actor): no id in the text.
      void record('operator_took_over', 'A Zen & Zen technician took the case over', {
        actor: operator,
        channel: 'portal',
      });
      return state;
    },
    {
      validator: ({ operator }) => {
        if (!isStaff(operator)) throw new Error('Only a technician can take a case over');
        if (isClosed()) throw new Error('The case is already closed');
        // One person holds a case: another operator's take-over is refused (the API answers
        // the same operator's repeat with the state as it is).
        if (state.assignedOperator && state.assignedOperator !== operator.id) {
          throw new Error('Another operator has already taken this case over');
        }
      },
    },
  );

  setHandler(closeCaseSignal, (request) => {
    if (inbox.closeRequest || isClosed()) return;
    inbox.closeRequest = request;
    main.cancel();
  });

  setHandler(deviceConnectionSignal, ({ online }) => {
    state.deviceOnline = online;
    inbox.connectionSignals++;
  });

  setHandler(callEventSignal, (event) => {
    if (isClosed()) return;
    void record(`call_${event.type}`, `Phone call ${event.type.replace('_', ' ')}`, {
      channel: 'phone',
      details: { callControlId: event.callControlId },
    });
  });

  return inbox;
}
