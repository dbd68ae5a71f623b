import { condition, setHandler, type CancellationScope } from '@temporalio/workflow';
import type { StepRecord } from '../activities/caseStore';
import type { Actor } from '../contracts/case';
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
  type Proposal,
  type StepDoneRequest,
} from './messages';

// What a case hears from outside: its query, updates and signals, registered
// once at its start. What they leave for the case's steps is in its Inbox.

/** What a step adds to the case's record beside its text. */
export type RecordExtra = Partial<
  Pick<StepRecord, 'actor' | 'channel' | 'details' | 'userApproved'>
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
}

export interface MessageContext {
  input: CaseInput;
  state: CaseState;
  /** The case's steps: a close cancels them. */
  main: CancellationScope;
  since: (patch: string) => boolean;
  record: RecordStep;
  isClosed: () => boolean;
}

export function decisionFor(state: CaseState, proposal: Proposal): Decision | undefined {
  return state.decisions.find((d) => d.actionId === proposal.actionId);
}

export function handleMessages({
  input,
  state,
  main,
  since,
  record,
  isClosed,
}: MessageContext): Inbox {
  const inbox: Inbox = { connectionSignals: 0, caseRecorded: false };

  function mayDecide(actor: Actor): boolean {
    return (
      actor.role === 'operator' ||
      (actor.role === 'customer' && actor.customerId === input.customerId)
    );
  }

  setHandler(caseStateQuery, () => state);

  setHandler(joinCaseUpdate, async ({ caseId, channel, actor }) => {
    // Answer once the case document exists, so the caller can read it right away.
    // Cases from before this change answered at once.
    if (since('join-after-case-recorded')) await condition(() => inbox.caseRecorded);
    if (!state.channels.includes(channel)) state.channels.push(channel);
    const joined = caseId !== state.caseId;
    if (joined) void record('case_joined', `Joined through ${channel}`, { actor, channel });
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
      void record('operator_took_over', `Operator ${operator.id} took the case over`, {
        actor: operator,
        channel: 'portal',
      });
      return state;
    },
    {
      validator: ({ operator }) => {
        if (operator.role !== 'operator') throw new Error('Only an operator can take a case over');
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
