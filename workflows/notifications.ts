import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, startChild, WorkflowIdReusePolicy } from '@temporalio/workflow';
import type { NotificationEvent, NotificationEventType } from '../contracts/notifications';
import { fixDescriptions } from '../contracts/fixes';
import { notificationWorkflowId, type CaseInput, type CaseState, type Proposal } from './messages';
import { notifyPeople } from './notifyPeople';

// A case tells people what happened through the notifier: a notifyPeople child per event,
// abandoned when the case closes, so the case never waits for an email or a pager.

export type CaseNotifier = (
  type: NotificationEventType,
  keyPart: string,
  facts?: NotificationEvent['facts'],
) => Promise<void>;

/** Raises the case's events; a no-op for cases started before notifications. */
export function caseNotifier(input: CaseInput, enabled: boolean): CaseNotifier {
  return async (type, keyPart, facts = {}) => {
    if (!enabled) return;
    const event: NotificationEvent = {
      type,
      key: `${input.caseId}:${keyPart}`,
      at: new Date(Date.now()).toISOString(),
      customerId: input.customerId,
      deviceId: input.deviceId,
      caseId: input.caseId,
      facts,
    };
    try {
      await startChild(notifyPeople, {
        workflowId: notificationWorkflowId(event.key),
        args: [event],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        staticSummary: `Notify: ${type}`,
      });
    } catch (err) {
      // Raised before (a reset, or the same event from elsewhere): told once already.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  };
}

export function approvalFacts(proposal: Proposal): NotificationEvent['facts'] {
  return {
    fixTitle: proposal.title.slice(0, 200),
    downtime: proposal.estimatedDuration.slice(0, 200),
    risk: proposal.risk.slice(0, 200),
    diagnosis: proposal.diagnosis.slice(0, 1000),
  };
}

/** The close in facts; `askRating`: the customer may rate the help (not for older cases). */
export function closeFacts(state: CaseState, askRating = false): NotificationEvent['facts'] {
  const fixes = state.actionsTaken.map((a) => fixDescriptions[a].title);
  const summary = state.technician?.resolution?.summary ?? state.technician?.unfixable?.summary;
  return {
    ...(askRating &&
      (state.status === 'resolved' || state.status === 'not_fixable_remotely') && {
        askRating: true,
      }),
    ...(summary && { message: summary.slice(0, 4000) }),
    ...(state.technician?.unfixable && { unfixableReason: state.technician.unfixable.reason }),
    // A case that found nothing wrong closes as category 'none' (supportCase.ts).
    fixed: state.issueCategory !== 'none',
    ...(state.diagnosis && { diagnosis: state.diagnosis.slice(0, 1000) }),
    ...(fixes.length > 0 && { whatWasDone: fixes.join(', ').slice(0, 1000) }),
    ...(state.closedAt !== undefined && {
      durationMinutes: (state.closedAt - state.openedAt) / 60_000,
    }),
  };
}
