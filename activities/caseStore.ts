import { Context, log } from '@temporalio/activity';
import type { Actor, CaseChannel, CaseStatus, IssueCategory } from '../contracts/case';
import type { CaseFigures } from '../contracts/caseFigures';
import type { SlaBreach, SlaSettings } from '../contracts/technician';
import { appendAudit } from '../store/audit';
import { Case, driverCollection } from '../store/models';
import {
  approvalWait,
  caseDuration,
  casesClosed,
  casesOpened,
  slaBreaches,
} from '../observability/metrics';
import type { CaseInput, Report } from '../workflows/messages';
import { channelWords } from '../workflows/progressWords';
import type { ApiLink } from './apiLink';

// Case documents in `diagnostic_sessions`, written when a case's state changes, and
// their audit trail, written at every step.

/** Creates the case document; a retry finds it already there and changes nothing. */
export async function recordCase(input: CaseInput): Promise<void> {
  const { workflowExecution } = Context.current().info;
  if (!workflowExecution) throw new Error('recordCase runs only as a workflow activity');
  const written = await Case.updateOne(
    { _id: input.caseId },
    {
      $setOnInsert: {
        workflowId: workflowExecution.workflowId,
        runId: workflowExecution.runId,
        customerId: input.customerId,
        deviceId: input.deviceId,
        siteId: input.siteId,
        channel: input.channel,
        callerPhone: input.callerPhone,
        status: 'open',
        step: `Case opened through ${channelWords[input.channel]}`,
        summary: input.description,
        reports: input.description
          ? [storedReport(input.openedBy, input.channel, input.description)]
          : [],
        followUpOf: input.followUp?.ofCaseId,
        assignedOperator: input.followUp?.assignedOperator,
      },
    },
    { upsert: true },
  );
  // A retry finds the document and counts nothing.
  if (written.upsertedCount > 0) {
    casesOpened.inc({ channel: input.channel });
    log.info('case opened', { caseId: input.caseId, deviceId: input.deviceId });
  }
}

export interface StepRecord {
  caseId: string;
  /** The audit entry's place in the case's chain, counted by the workflow. */
  seq: number;
  /** The hash the previous step's record returned; without it the entry before is read. */
  prevHash?: string;
  at: number;
  actionType: string;
  actor: Actor;
  channel: CaseChannel;
  details: Record<string, unknown>;
  userApproved?: boolean;
  status: CaseStatus;
  step: string;
  issueCategory?: IssueCategory;
  diagnosticData?: unknown;
  remediationAction?: Record<string, unknown>;
  resolutionTimeMinutes?: number;
  completed?: boolean;
  /** A joining reporter's words, added to the case document's reports. */
  report?: Report;
  /** The operator the case was just assigned to (taken over, or a follow-up's). */
  assignedOperator?: string;
  /** Operators only: an internal note. The customer's live view never hears of it. */
  internal?: boolean;
  /** The hand-over to the technicians, and the service levels the case runs against. */
  handedOverAt?: number;
  sla?: SlaSettings;
  /** A technician's close. */
  resolution?: { code: string; summary: string };
  unfixable?: { reason: string; summary: string };
  /** The deadlines passed so far (all of them, each time one passes). */
  slaBreaches?: SlaBreach[];
  /** What the numbers read: the closing step's. */
  figures?: CaseFigures;
  /**
   * Only the step's text is new (the workflow knows what the document last got): the
   * audit entry and the live update are written, the case document is not.
   */
  stepOnly?: boolean;
}

export function createCaseStoreActivities(api: ApiLink) {
  return {
    /**
     * Updates the case document (unless only the step's text is new), appends the audit
     * entry, and tells the portal. Returns the entry's hash, which the workflow hands to
     * the next step's record.
     */
    async recordStep(step: StepRecord): Promise<string> {
      const set: Record<string, unknown> = { status: step.status, updatedAt: new Date() };
      // The document's step is what the customer reads: an operators-only one leaves it.
      if (!step.internal) set.step = step.step;
      if (step.issueCategory) set.issueCategory = step.issueCategory;
      if (step.diagnosticData !== undefined) set.diagnosticData = step.diagnosticData;
      if (step.resolutionTimeMinutes !== undefined) {
        set.resolutionTimeMinutes = step.resolutionTimeMinutes;
      }
      if (step.completed) set.completedAt = new Date(step.at);
      if (step.assignedOperator) set.assignedOperator = step.assignedOperator;
      if (step.handedOverAt !== undefined) set.handedOverAt = new Date(step.handedOverAt);
      if (step.sla) set.sla = step.sla;
      if (step.resolution) set.resolution = step.resolution;
      if (step.unfixable) set.unfixable = step.unfixable;
      if (step.slaBreaches) {
        set.slaBreaches = step.slaBreaches.map((b) => ({ kind: b.kind, at: new Date(b.at) }));
      }
      if (step.figures) {
        set.outcome = step.figures.outcome;
        set.resolvedBy = step.figures.resolvedBy;
        set.times = step.figures.times;
      }
      const update: Record<string, unknown> = { $set: set };
      // $addToSet: a retried step does not list the same action (or report) twice.
      const added: Record<string, unknown> = {};
      if (step.remediationAction) added.remediationActions = step.remediationAction;
      if (step.report) {
        added.reports = storedReport(
          step.report.actor,
          step.report.channel,
          step.report.words,
          step.report.at,
        );
      }
      if (Object.keys(added).length) update.$addToSet = added;
      // Through the driver (store/models.ts driverCollection), so updatedAt is set
      // above. Both writes are safe to retry together.
      const [, hash] = await Promise.all([
        step.stepOnly
          ? undefined
          : driverCollection(Case).updateOne({ _id: step.caseId }, update, {
              ignoreUndefined: true,
            }),
        appendAudit(
          {
            caseId: step.caseId,
            seq: step.seq,
            actionType: step.actionType,
            actor: step.actor,
            channel: step.channel,
            actionDetails: step.details,
            userApproved: step.userApproved ?? false,
            executedAt: new Date(step.at),
          },
          step.prevHash,
        ),
      ]);
      observe(step);
      await api.notifyCase({
        caseId: step.caseId,
        status: step.status,
        step: step.step,
        actionType: step.actionType,
        at: step.at,
        seq: step.seq,
        ...(step.internal && { internal: true }),
      });
      return hash;
    },
  };
}

/** A report as the case document keeps it: who by id and role, no more personal data. */
function storedReport(
  actor: Report['actor'],
  channel: Report['channel'],
  words: string,
  at = Date.now(),
) {
  return { at: new Date(at), channel, actor: { id: actor.id, role: actor.role }, words };
}

const closing = /^case_(resolved|escalated|not_fixable_remotely|cancelled)$/;

/** Metrics and a log line for the steps that mean something to an operator. */
function observe(step: StepRecord): void {
  const details = step.details as { waitedMs?: unknown; durationMs?: unknown; kind?: unknown };
  const outcome = step.completed ? step.actionType.match(closing)?.[1] : undefined;
  if (outcome) {
    casesClosed.inc({ outcome });
    if (typeof details.durationMs === 'number') {
      caseDuration.observe({ outcome }, details.durationMs / 1000);
    }
  }
  if (step.actionType === 'sla_breached' && typeof details.kind === 'string') {
    slaBreaches.inc({ kind: details.kind });
  }
  if (step.actionType === 'fix_approved' || step.actionType === 'fix_declined') {
    if (typeof details.waitedMs === 'number') {
      approvalWait.observe(
        { decision: step.actionType === 'fix_approved' ? 'approved' : 'declined' },
        details.waitedMs / 1000,
      );
    }
  }
  log.info('case step', {
    caseId: step.caseId,
    seq: step.seq,
    actionType: step.actionType,
    status: step.status,
  });
}
