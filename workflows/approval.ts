import { condition } from '@temporalio/workflow';
import type { Advice } from '../contracts/advice';
import type { Actor } from '../contracts/case';
import { fixDescriptions } from '../contracts/fixes';
import { decisionFor, type RecordStep } from './caseMessages';
import { Escalation } from './escalation';
import { approvalFacts, type CaseNotifier } from './notifications';
import { channelWords } from './progressWords';
import type { CaseSettings, CaseState, Proposal } from './messages';

// A fix waits for the customer's approval (portal or phone): reminded once,
// then handed to a person when nobody answers, or when it is declined.

export interface ApprovalContext {
  state: CaseState;
  settings: CaseSettings;
  record: RecordStep;
  recordBeside: RecordStep;
  since: (patch: string) => boolean;
  /** Tells the customer (notifier); does nothing for cases from before notifications. */
  notify: CaseNotifier;
}

/** Who proposed a fix when it was not the advisor: a technician, with an id of its own. */
export interface ProposedBy {
  actionId: string;
  actor: Actor;
}

/** Proposes the fix and waits for a decision: remind once, then give up. */
export async function proposeFix(
  { state, settings, record, recordBeside, since, notify }: ApprovalContext,
  advice: Extract<Advice, { kind: 'remediate' }>,
  by?: ProposedBy,
): Promise<Proposal> {
  const entry = fixDescriptions[advice.action];
  const proposedAt = Date.now();
  const proposal: Proposal = {
    actionId: by?.actionId ?? `${state.caseId}:fix${state.actionsTaken.length + 1}`,
    action: advice.action,
    title: entry.title,
    params: advice.params,
    risk: entry.risk,
    estimatedDuration: entry.estimatedDuration,
    diagnosis: advice.diagnosis,
    rationale: advice.rationale,
    proposedAt,
    expiresAt: proposedAt + settings.approvalTimeoutMs + settings.approvalGraceMs,
    reminded: false,
  };
  state.proposal = proposal;
  state.status = 'awaiting_approval';
  await recordBeside('fix_proposed', `Proposed fix: ${entry.title}. Waiting for approval`, {
    ...(by && { actor: by.actor, channel: 'portal' as const }),
    details: { actionId: proposal.actionId, action: advice.action, params: advice.params },
  });
  await notify('approval_waiting', `approval:${proposal.actionId}`, approvalFacts(proposal));
  const decided = () => decisionFor(state, proposal) !== undefined;
  let answered = await condition(decided, settings.approvalTimeoutMs, {
    summary: 'Wait for the customer to approve the fix',
  });
  if (!answered) {
    proposal.reminded = true;
    await recordBeside('approval_reminder', `Reminder: "${entry.title}" is waiting for approval`);
    await notify('approval_reminder', `reminder:${proposal.actionId}`, approvalFacts(proposal));
    answered = await condition(decided, settings.approvalGraceMs, {
      summary: 'Wait for approval after the reminder',
    });
  }
  state.proposal = undefined;
  const decision = decisionFor(state, proposal);
  // The customer's part of the case's time: from the proposal to the answer, or its expiry.
  state.approvalWaitMs = (state.approvalWaitMs ?? 0) + ((decision?.at ?? Date.now()) - proposedAt);
  if (!decision) {
    throw new Escalation(
      advice.issueCategory,
      advice.diagnosis,
      `Nobody approved "${entry.title}" in time, so nothing was changed. A technician will call you.`,
    );
  }
  const recorded = record(
    decision.approved ? 'fix_approved' : 'fix_declined',
    `${decision.approved ? 'Approved' : 'Declined'} through ${channelWords[decision.channel]}`,
    {
      actor: decision.actor,
      channel: decision.channel,
      userApproved: decision.approved,
      details: {
        actionId: proposal.actionId,
        note: decision.note,
        waitedMs: decision.at - proposal.proposedAt,
      },
    },
  );
  // An approved fix goes to the device at once: records are chained, so the audit
  // trail still reads approved, started, done. Cases from before waited for each record.
  if (!decision.approved || !since('fix-dispatched-beside-records')) await recorded;
  if (!decision.approved) {
    throw new Escalation(
      advice.issueCategory,
      advice.diagnosis,
      `You declined "${entry.title}", so nothing was changed. A technician will call you to agree on next steps.`,
    );
  }
  return proposal;
}
