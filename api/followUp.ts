import type { Client } from '@temporalio/client';
import mongoose from 'mongoose';
import { closedStatuses, type CaseChannel, type CaseStatus } from '../contracts/case';
import { appendAudit } from '../store/audit';
import { AuditEntry, Case, User } from '../store/models';
import type { Principal } from './auth';
import { HttpError } from './errors';
import { caseWorkflowId } from '../workflows/messages';
import { openCase, type CaseDefaults } from './openCase';
import { sealWords } from '../privacy/writers';

// "It is still not working": a closed case reopens as a linked follow-up with a person
// assigned. The follow-up runs the box's checks again for fresh evidence but never closes
// on them alone (workflows/followUp.ts). The portal's route and the phone both use this.

export interface StillBrokenReport {
  /** The closed case the customer says is still broken. */
  caseId: string;
  /** The customer's own words, if they gave any. */
  words?: string;
  channel: CaseChannel;
}

export interface FollowUp {
  /** The follow-up case (the same on a repeated report). */
  caseId: string;
  workflowId: string;
  /** The closed case it follows up. */
  followUpOf: string;
  /** The operator user the follow-up is with; absent when there is no operator to choose. */
  assignedOperator?: string;
  /** False when an earlier report already opened this follow-up. */
  opened: boolean;
}

const defaultWords = 'The customer says the network is still not working.';

/**
 * Opens the follow-up of a closed case the principal may see (its customer or an operator),
 * or returns the one an earlier report opened. 404 for a case they may not see, 409 for
 * one that is not closed.
 */
export async function reportStillBroken(
  client: Client,
  principal: Principal,
  report: StillBrokenReport,
  defaults: CaseDefaults,
): Promise<FollowUp> {
  // Its customer or an operator; the same answer for "no such case" and "not yours".
  const scope = principal.role === 'operator' ? {} : { customerId: principal.customerId };
  const old =
    principal.role === 'operator' || (principal.role === 'customer' && principal.customerId)
      ? await Case.findOne({ ...scope, _id: report.caseId }).lean()
      : null;
  if (!old) throw new HttpError(404, 'CASE_NOT_FOUND', `No case ${report.caseId}`);
  if (!closedStatuses.includes(old.status as CaseStatus)) {
    throw new HttpError(409, 'CASE_OPEN', 'This case is still open: it is being worked on');
  }
  if (old.followUpCaseId) return existing(old.followUpCaseId, old);

  const assignedOperator = await leastBusyOperator();
  // Sealed once here: the follow-up's workflow and the closed case's trail keep the same.
  const words = await sealWords(principal, old.customerId, report.words || defaultWords);
  // A case of this box that is open now is joined: it takes the words and the person.
  const opened = await openCase(
    client,
    principal,
    {
      deviceId: old.deviceId,
      channel: report.channel,
      description: words,
      followUp: { ofCaseId: old._id, assignedOperator },
    },
    defaults,
  );
  // The first report links the cases; a concurrent one finds the link and uses it.
  const linked = await Case.findOneAndUpdate(
    { _id: old._id, followUpCaseId: null },
    { $set: { followUpCaseId: opened.caseId } },
  ).lean();
  if (!linked) {
    const now = await Case.findById(old._id, { followUpCaseId: 1 }).lean();
    return existing(now!.followUpCaseId!, old);
  }
  await recordOnClosedCase(old._id, principal, report.channel, {
    words,
    followUpCaseId: opened.caseId,
  });
  return {
    caseId: opened.caseId,
    workflowId: opened.workflowId,
    followUpOf: old._id,
    assignedOperator,
    opened: true,
  };
}

/** The follow-up an earlier report opened (its box's workflow id, whichever run it is). */
async function existing(caseId: string, old: { _id: string; deviceId: string }): Promise<FollowUp> {
  const doc = await Case.findById(caseId, { workflowId: 1, assignedOperator: 1 }).lean();
  return {
    caseId,
    workflowId: doc?.workflowId ?? caseWorkflowId(old.deviceId),
    followUpOf: old._id,
    assignedOperator: doc?.assignedOperator ?? undefined,
    opened: false,
  };
}

/** The operator with the fewest cases still with a person (open, or handed over). */
async function leastBusyOperator(): Promise<string | undefined> {
  const operators = await User.find({ role: 'operator' }, { _id: 1 }).sort({ createdAt: 1 }).lean();
  if (!operators.length) return undefined;
  const busy = await Case.find(
    {
      assignedOperator: mongoose.trusted({ $in: operators.map((o) => o._id) }),
      status: mongoose.trusted({ $nin: ['resolved', 'cancelled'] }),
    },
    { assignedOperator: 1 },
  ).lean();
  const load = new Map(operators.map((o) => [o._id, 0]));
  for (const c of busy) load.set(c.assignedOperator!, (load.get(c.assignedOperator!) ?? 0) + 1);
  // Ties go to the operator added first: the same answer each time for the same load.
  return [...load.entries()].reduce((best, next) => (next[1] < best[1] ? next : best))[0];
}

/**
 * The closed case's workflow has ended: its trail gets the report here, chained after its
 * last entry, so it shows where the case went on.
 */
async function recordOnClosedCase(
  caseId: string,
  principal: Principal,
  channel: CaseChannel,
  details: Record<string, unknown>,
): Promise<void> {
  const last = await AuditEntry.findOne({ caseId }, { seq: 1, hash: 1 }).sort({ seq: -1 }).lean();
  await appendAudit(
    {
      caseId,
      seq: (last?.seq ?? 0) + 1,
      actionType: 'still_broken_reported',
      actor: { id: principal.id, role: principal.role, customerId: principal.customerId },
      channel,
      actionDetails: details,
      userApproved: false,
      executedAt: new Date(),
    },
    last?.hash,
  );
}
