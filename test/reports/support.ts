import mongoose from 'mongoose';
import { storeIntervals } from '../../api/monitoring/history';
import { compactHistory } from '../../api/monitoring/compaction';
import type { MonitorInterval, ProbeTarget } from '../../contracts/monitor';
import { HealthOutage, offlineOutageId } from '../../store/healthHistory';
import { Case, Device, driverCollection } from '../../store/models';

// A customer's known month for the report tests: health history written through the
// box's real write path (then compacted, as a month that has passed is), offline outages
// and cases as the documents the sweep and the case workflow leave.

export const minute = 60_000;
export const hour = 60 * minute;
export const day = 24 * hour;

/** The month two months back: its end and the month after lie well in the past. */
export function testMonth(now = new Date()) {
  const from = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 2, 1);
  const to = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1);
  return { key: new Date(from).toISOString().slice(0, 7), from, to };
}

export function interval(
  seq: number,
  at: number,
  seconds: number,
  failed: ProbeTarget[] = [],
): MonitorInterval {
  return {
    seq,
    start: new Date(at).toISOString(),
    seconds,
    gateway: { sent: 3, lost: failed.includes('gateway') ? 3 : 0, p50Ms: 1.5, p95Ms: 2 },
    internet: failed.includes('internet') ? { sent: 3, lost: 3 } : { sent: 3, lost: 0, p50Ms: 20 },
    dns: { sent: 1, lost: failed.includes('dns') ? 1 : 0 },
    failed,
    path: 'wired',
  };
}

/** Stores the intervals as the box's heartbeats do, then compacts them into hours. */
export async function storeHistory(deviceId: string, intervals: MonitorInterval[]) {
  for (let i = 0; i < intervals.length; i += 500) {
    await storeIntervals({ deviceId, docId: 'unused' }, intervals.slice(i, i + 500));
  }
}

export async function compact() {
  await compactHistory();
}

export async function offlineOutage(
  deviceId: string,
  customerId: string,
  start: number,
  end: number,
) {
  await HealthOutage.create({
    _id: offlineOutageId(deviceId, new Date(start)),
    deviceId,
    customerId,
    kind: 'offline',
    start: new Date(start),
    end: new Date(end),
    notified: true,
    backNotified: true,
  });
}

/** A box enrolled at `enrolledAt`. */
export async function boxAt(deviceId: string, enrolledAt: number) {
  await Device.collection.updateOne({ deviceId }, { $set: { createdAt: new Date(enrolledAt) } });
}

export interface CaseFixture {
  id: string;
  customerId: string;
  deviceId: string;
  opened: number;
  closed?: number;
  status: string;
  outcome?: string;
  resolvedBy?: string;
  category: string;
  actions?: { action: string; executed: boolean }[];
  resolutionSeconds?: number;
}

/** A case document as the case workflow leaves it (contracts/caseFigures.ts fields). */
export async function insertCase(c: CaseFixture) {
  const at = new Date(c.closed ?? c.opened);
  await driverCollection(Case).insertOne({
    _id: c.id,
    workflowId: `support-case-${c.id}`,
    customerId: c.customerId,
    deviceId: c.deviceId,
    channel: 'phone',
    status: c.status,
    step: 'done',
    issueCategory: c.category,
    remediationActions: (c.actions ?? []).map((a, i) => ({
      actionId: `${c.id}-fix-${i}`,
      action: a.action,
      params: {},
      executed: a.executed,
    })),
    createdAt: new Date(c.opened),
    updatedAt: at,
    ...(c.closed !== undefined && {
      completedAt: at,
      outcome: c.outcome ?? c.status,
      ...(c.resolvedBy && { resolvedBy: c.resolvedBy }),
      times: {
        totalSeconds: Math.round((c.closed - c.opened) / 1000),
        approvalWaitSeconds: 30,
        ...(c.resolutionSeconds !== undefined && { resolutionSeconds: c.resolutionSeconds }),
      },
      slaBreaches: [],
    }),
  });
}

/** An answer as the satisfaction store writes it (collection case_satisfaction). */
export async function insertSatisfaction(
  caseId: string,
  customerId: string,
  score: number,
  comment?: string,
) {
  await mongoose.connection
    .collection<{ _id: string; [field: string]: unknown }>('case_satisfaction')
    .insertOne({
      _id: caseId,
      customerId,
      score,
      ...(comment && { comment }),
      channel: 'email',
      at: new Date(),
    });
}
