import {
  CancellationScope,
  proxyActivities,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { StepRecord } from '../activities/caseStore';
import type { Actor } from '../contracts/case';
import { caseDetails } from './caseDetails';
import { closingRecord } from './caseFigures';
import type { RecordExtra } from './caseMessages';
import { searchAttributes, type CaseInput, type CaseState } from './messages';

// How a case records its steps: what operators see in the Temporal UI, the case document,
// the audit chain and the live view, each step chained after the one before.

export const recordOptions: ActivityOptions = {
  // Database writes: a lost worker's attempt is retried after 10 s, not half a minute.
  startToCloseTimeout: '10 seconds',
  retry: { maximumInterval: '10 seconds' },
};
const acts = proxyActivities<Activities>(recordOptions);

/** The case itself, as the actor of the steps nobody else took. */
export const workflowActor: Actor = { id: 'supportCase', role: 'service' };

export interface CaseRecorderContext {
  input: CaseInput;
  state: CaseState;
  since: (patch: string) => boolean;
  isClosed: () => boolean;
  /** The case's last diagnose → advise round, for the operators' details. */
  lastRound: () => number;
}

export function caseRecorder({ input, state, since, isClosed, lastRound }: CaseRecorderContext) {
  let auditSeq = 0;
  /** The operator the case document was last given. */
  let recordedOperator = input.followUp?.assignedOperator;
  /** The hash of the case's latest audit entry, as its record returned it. */
  let auditHash: string | undefined;
  let recording: Promise<void> = Promise.resolve();
  // Recording must finish even while the case is being closed. One scope for every
  // record: a scope costs promises of its own, and each promise a workflow makes
  // costs the worker a stack trace.
  const recorder = new CancellationScope({ cancellable: false });

  /**
   * Updates what operators see, then writes the case document and the audit
   * entry. Records are chained so audit entries land in order.
   */
  function record(actionType: string, text: string, extra: RecordExtra = {}): Promise<void> {
    // An operators-only step leaves the customer's "where are we" as it was.
    if (!extra.internal) state.step = text;
    const note = extra.details?.note ?? extra.details?.words ?? extra.details?.description;
    state.timeline.push({
      at: Date.now(),
      status: state.status,
      text,
      actor: extra.actor,
      channel: extra.channel,
      note: typeof note === 'string' && note ? note : undefined,
      ...(extra.internal && { internal: true }),
    });
    // Each upsert is a history event and a visibility write: only changes are sent.
    // Cases from before this change upserted at every step (one patch with recordBeside's).
    // workflowInfo holds the attributes as set at the start and by every upsert since:
    // the status and category the previous step left, as the case document has them.
    const indexed = workflowInfo().typedSearchAttributes;
    const unchanged =
      indexed.get(searchAttributes.status) === state.status &&
      indexed.get(searchAttributes.issueCategory) === state.issueCategory;
    if (!unchanged || !since('records-beside-steps')) {
      upsertSearchAttributes([
        { key: searchAttributes.status, value: state.status },
        { key: searchAttributes.issueCategory, value: state.issueCategory },
      ]);
    }
    setCurrentDetails(caseDetails(state, input, lastRound()));
    const closing = isClosed();
    const step: StepRecord = {
      caseId: state.caseId,
      seq: ++auditSeq,
      at: Date.now(),
      actionType,
      actor: extra.actor ?? workflowActor,
      channel: extra.channel ?? input.channel,
      details: extra.details ?? {},
      userApproved: extra.userApproved,
      status: state.status,
      step: text,
      issueCategory: state.issueCategory,
      diagnosticData: extra.diagnosticData,
      remediationAction: extra.remediationAction,
      resolutionTimeMinutes:
        state.resolutionMs === undefined ? undefined : Math.round(state.resolutionMs / 60_000),
      completed: isClosed(),
      report: extra.report,
      assignedOperator:
        state.assignedOperator === recordedOperator ? undefined : state.assignedOperator,
      internal: extra.internal,
      handedOverAt:
        actionType === 'handed_to_technician' ? state.technician?.handedOverAt : undefined,
      sla: actionType === 'handed_to_technician' ? input.sla : undefined,
      slaBreaches: actionType === 'sla_breached' ? state.sla?.breaches : undefined,
      ...(closing && closingRecord(state)),
      // The case document holds the case's state, not its every step: a step that changes
      // none of it goes to the audit trail and the live view and leaves the document alone.
      stepOnly:
        unchanged &&
        actionType !== 'handed_to_technician' &&
        actionType !== 'sla_breached' &&
        extra.diagnosticData === undefined &&
        extra.remediationAction === undefined &&
        extra.report === undefined &&
        state.assignedOperator === recordedOperator &&
        !isClosed(),
    };
    recordedOperator = state.assignedOperator;
    recording = recording.then(async () => {
      // Histories from before records returned their hash give none: the activity reads it.
      auditHash = await recorder.run(() =>
        acts.recordStep.executeWithOptions({ ...recordOptions, summary: `Record: ${text}` }, [
          { ...step, prevHash: auditHash },
        ]),
      );
    });
    return recording;
  }

  /**
   * Records a step while the case goes on: records are chained, so the trail
   * keeps its order, and the next step need not wait for the write. Cases from
   * before this change waited for each record.
   */
  async function recordBeside(...args: Parameters<typeof record>): Promise<void> {
    const recorded = record(...args);
    if (!since('records-beside-steps')) await recorded;
  }

  /** Every record asked for so far has been written. */
  function recorded(): Promise<void> {
    return recording;
  }

  return { record, recordBeside, recorded };
}
