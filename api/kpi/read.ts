import mongoose from 'mongoose';
import type { CaseOutcome, CaseTimes, ResolvedBy } from '../../contracts/caseFigures';
import { kpiOutcomes } from '../../contracts/kpi';
import type { SlaBreach } from '../../contracts/technician';
import { HealthOutage } from '../../store/healthHistory';
import { Case, Device } from '../../store/models';
import { CaseSatisfaction } from '../../store/satisfaction';
import type { BoxRecord, OfflineSpan } from './boxes';
import type { ClosedCase, SatisfactionScore } from './figures';

// What the numbers read from the store, through the native driver (plain filters, only the
// fields they need): case documents closed in a period, the satisfaction answers of those
// cases, and the boxes with their offline outages. Reads only: these documents belong to
// their workflows and monitors.

type Scope = { from: Date; to: Date; customerId?: string };

interface CaseDoc {
  _id: string;
  customerId: string;
  status?: string;
  completedAt: Date;
  outcome?: string;
  resolvedBy?: ResolvedBy;
  times?: Partial<CaseTimes>;
  slaBreaches?: SlaBreach[];
  issueCategory?: string;
}

/** How a case ended: its recorded outcome, or for cases closed before outcomes were written, its status. */
function outcomeOf(doc: CaseDoc): CaseOutcome | undefined {
  const outcome = doc.outcome ?? doc.status;
  return kpiOutcomes.find((o) => o === outcome);
}

/** Cases closed in [from, to): `completedAt` in the period. */
export async function readClosedCases({ from, to, customerId }: Scope): Promise<ClosedCase[]> {
  const docs = (await Case.collection
    .find(
      { completedAt: { $gte: from, $lt: to }, ...(customerId !== undefined && { customerId }) },
      {
        projection: {
          customerId: 1,
          status: 1,
          completedAt: 1,
          outcome: 1,
          resolvedBy: 1,
          times: 1,
          slaBreaches: 1,
          issueCategory: 1,
        },
      },
    )
    .toArray()) as unknown as CaseDoc[];
  const cases: ClosedCase[] = [];
  for (const doc of docs) {
    const outcome = outcomeOf(doc);
    if (!outcome) continue; // reopened, or not closed after all
    cases.push({
      caseId: doc._id,
      customerId: doc.customerId,
      completedAt: doc.completedAt,
      outcome,
      ...(doc.resolvedBy && { resolvedBy: doc.resolvedBy }),
      ...(doc.times && { times: doc.times }),
      slaBreaches: doc.slaBreaches ?? [],
      issueCategory: doc.issueCategory ?? 'unknown',
    });
  }
  return cases;
}

const idsPerRead = 500;

/** The answers of these cases: each found by its _id, the one field FerretDB finds at once. */
export async function readAnswers(caseIds: string[]): Promise<SatisfactionScore[]> {
  const answers: SatisfactionScore[] = [];
  for (let i = 0; i < caseIds.length; i += idsPerRead) {
    const ids = caseIds.slice(i, i + idsPerRead);
    // One document per case, its _id the case's (store/satisfaction.ts).
    const docs = await CaseSatisfaction.find(
      { _id: mongoose.trusted({ $in: ids }) },
      { score: 1 },
    ).lean();
    for (const doc of docs) answers.push({ caseId: doc._id, score: doc.score });
  }
  return answers;
}

/** The boxes (of the customer), revoked ones left out, and their offline outages touching the period. */
export async function readBoxes({
  from,
  to,
  customerId,
}: Scope): Promise<{ boxes: BoxRecord[]; outages: OfflineSpan[] }> {
  const devices = await Device.collection
    .find(
      { ...(customerId !== undefined && { customerId }), revokedAt: { $exists: false } },
      { projection: { deviceId: 1, status: 1, createdAt: 1 } },
    )
    .toArray();
  const boxes = devices.map((d) => ({
    deviceId: String(d.deviceId),
    status: String(d.status ?? 'inactive'),
    since: d.createdAt instanceof Date ? d.createdAt : new Date(0),
  }));
  const outages = await HealthOutage.collection
    .find(
      {
        kind: 'offline',
        start: { $lt: to },
        ...(customerId !== undefined && { customerId }),
      },
      { projection: { deviceId: 1, start: 1, end: 1 } },
    )
    .toArray();
  return {
    boxes,
    outages: outages
      .map((o) => ({
        deviceId: String(o.deviceId),
        start: o.start as Date,
        ...(o.end instanceof Date && { end: o.end }),
      }))
      .filter((o) => !o.end || o.end > from),
  };
}

/** Open cases handed over that nobody has claimed yet. */
export function countAwaitingTechnician(): Promise<number> {
  return Case.collection.countDocuments({ status: 'awaiting_technician' });
}
