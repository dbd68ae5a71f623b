import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ActivityFailure,
  ParentClosePolicy,
  proxyActivities,
  startChild,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PlannedNotifications } from '../activities/notifications';
import type { NotificationEvent, NotificationEventType } from '../contracts/notifications';
import { fixDescriptions } from '../contracts/fixes';
import { notificationWorkflowId, type CaseInput, type CaseState, type Proposal } from './messages';
import { notifyPeople } from './notifyPeople';

// A case tells people what happened through the notifier: it plans who hears of an event
// (a few reads), and a notifyPeople child carries the deliveries out, abandoned when the
// case closes, so the case never waits for an email or a pager. An event nobody is to hear
// of starts no child: a workflow costs the server far more than the plan.

// A plan that keeps failing (the store away) is left to the child, which retries it for as
// long as it takes: the case goes on.
const { planNotifications } = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
});

export type CaseNotifier = (
  type: NotificationEventType,
  keyPart: string,
  facts?: NotificationEvent['facts'],
) => Promise<void>;

/**
 * Raises the case's events; a no-op for cases started before notifications. Cases started
 * before `plansFirst` started a child for every event, which planned it itself.
 */
export function caseNotifier(
  input: CaseInput,
  enabled: boolean,
  plansFirst: boolean,
): CaseNotifier {
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
    let args: [NotificationEvent, PlannedNotifications?] = [event];
    if (plansFirst) {
      const plan = await planNotifications(event).catch((err: unknown) => {
        if (err instanceof ActivityFailure) return undefined;
        throw err;
      });
      if (plan && plan.now.length === 0 && !plan.later) return;
      if (plan) args = [event, plan];
    }
    try {
      await startChild(notifyPeople, {
        workflowId: notificationWorkflowId(event.key),
        args,
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
