import mongoose, { Schema } from 'mongoose';
import { closedStatuses, type CaseStatus } from '../contracts/case';
import type {
  Satisfaction,
  SatisfactionAnswer,
  SatisfactionChannel,
} from '../contracts/satisfaction';
import { Case } from './models';
import { customerSubject } from '../privacy/keys';
import { seal, unseal } from '../privacy/seal';

// How the customer rated the help on a closed case: one document per case, its _id the case's,
// so the first answer wins on every channel (a second insert clashes on the key). Kept apart
// from the case document, which belongs to the case workflow alone. The KPI figures read
// these field names.

const satisfactionSchema = new Schema(
  {
    _id: { type: String, required: true },
    customerId: { type: String, required: true, index: true },
    score: { type: Number, required: true, min: 1, max: 5 },
    // The customer's own words: personal data, shown to the customer and operators, never
    // sent to the advisor.
    comment: String,
    channel: { type: String, enum: ['email', 'portal', 'phone'], required: true },
    at: { type: Date, required: true, index: true },
  },
  { collection: 'case_satisfaction', versionKey: false },
);

export const CaseSatisfaction = mongoose.model('CaseSatisfaction', satisfactionSchema);

/** The longest comment kept: a few sentences (the contract says so too). */
const maxCommentLength = 1000;

/** Closed cases that may be rated: not a cancelled one (nobody was helped). */
const ratedStatuses: readonly CaseStatus[] = closedStatuses.filter((s) => s !== 'cancelled');

export type RecordOutcome = 'recorded' | 'already' | 'not_rateable';

/** The case a customer may rate: theirs, and closed other than cancelled; else undefined. */
export async function rateableCase(caseId: string, customerId: string) {
  const doc = await Case.findOne(
    { _id: caseId, customerId },
    { status: 1, completedAt: 1, updatedAt: 1 },
  ).lean();
  if (!doc || !ratedStatuses.includes(doc.status as CaseStatus)) return undefined;
  return {
    status: doc.status as CaseStatus,
    closedAt: (doc.completedAt ?? doc.updatedAt) as Date | undefined,
  };
}

/**
 * Stores the customer's answer once: 'already' when the case has one (whatever its channel),
 * 'not_rateable' when the case is not theirs, not closed, or cancelled.
 */
export async function recordSatisfaction(
  caseId: string,
  customerId: string,
  answer: SatisfactionAnswer,
  channel: SatisfactionChannel,
  at = new Date(),
): Promise<RecordOutcome> {
  if (!(await rateableCase(caseId, customerId))) return 'not_rateable';
  const words = answer.comment?.trim().slice(0, maxCommentLength);
  // Kept sealed under the business's key (privacy/): erased with it.
  const comment = words && (await seal(customerSubject(customerId), words));
  try {
    await CaseSatisfaction.create({
      _id: caseId,
      customerId,
      score: answer.score,
      ...(comment && { comment }),
      channel,
      at,
    });
    return 'recorded';
  } catch (err) {
    // FerretDB may report a key clash as an internal error: the stored answer decides.
    if ((err as { code?: number }).code === 11000) return 'already';
    if (await CaseSatisfaction.exists({ _id: caseId })) return 'already';
    throw err;
  }
}

/** The case's answer, if the customer gave one. */
export async function satisfactionOf(caseId: string): Promise<Satisfaction | undefined> {
  const doc = await CaseSatisfaction.findById(caseId).lean();
  if (!doc) return undefined;
  return {
    caseId: doc._id,
    customerId: doc.customerId,
    score: doc.score,
    ...(doc.comment && { comment: await unseal(doc.comment) }),
    channel: doc.channel as SatisfactionChannel,
    at: doc.at.toISOString(),
  };
}
