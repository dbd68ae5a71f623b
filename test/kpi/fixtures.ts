import type { CaseOutcome, CaseTimes, ResolvedBy } from '../../contracts/caseFigures';
import type { SlaKind } from '../../contracts/technician';
import { CaseSatisfaction } from '../../store/satisfaction';
import { HealthOutage } from '../../store/healthHistory';
import { Case, Device } from '../../store/models';
import type { TestStack } from '../support/stack';
import { seedOtherTenant, type OtherTenant } from '../support/tenants';

// Closed cases with chosen outcomes, durations, breaches and answers, and boxes with chosen
// offline outages, written straight into the store the way the case workflow and the
// monitor leave them. Times count back from T (the minute the fixture was made): the
// report's period is [T − 10 days, T), and the metrics' windows end at the scrape.

export const hourMs = 3_600_000;
export const dayMs = 24 * hourMs;

export interface FixtureCase {
  id: string;
  customer: 'A' | 'B';
  /** Closed this long before T. */
  agoMs: number;
  outcome: CaseOutcome;
  /** Cases closed before outcomes were written have only their status. */
  legacy?: boolean;
  resolvedBy?: ResolvedBy;
  times?: Partial<CaseTimes>;
  breaches?: SlaKind[];
  category: string;
  score?: number;
}

/** A is the demo customer, B the second tenant. */
export const fixtureCases: FixtureCase[] = [
  {
    id: 'a1',
    customer: 'A',
    agoMs: 2 * hourMs,
    outcome: 'resolved',
    resolvedBy: 'automation',
    times: { totalSeconds: 600, resolutionSeconds: 600, approvalWaitSeconds: 120 },
    category: 'dns',
    score: 5,
  },
  {
    id: 'a2',
    customer: 'A',
    agoMs: 30 * hourMs,
    outcome: 'resolved',
    resolvedBy: 'customer',
    times: { totalSeconds: 1200, resolutionSeconds: 1200, approvalWaitSeconds: 0 },
    category: 'gateway',
  },
  {
    id: 'a3',
    customer: 'A',
    agoMs: 3 * dayMs,
    outcome: 'resolved',
    resolvedBy: 'technician',
    times: {
      totalSeconds: 3600,
      resolutionSeconds: 3600,
      approvalWaitSeconds: 300,
      technicianSeconds: 2400,
      firstResponseSeconds: 900,
    },
    breaches: ['first_response'],
    category: 'isp',
    score: 4,
  },
  {
    id: 'a4',
    customer: 'A',
    agoMs: 4 * dayMs,
    outcome: 'not_fixable_remotely',
    resolvedBy: 'technician',
    times: {
      totalSeconds: 40_000,
      approvalWaitSeconds: 0,
      technicianSeconds: 30_000,
      firstResponseSeconds: 1800,
    },
    breaches: ['first_response', 'resolution'],
    category: 'isp',
  },
  {
    id: 'a5',
    customer: 'A',
    agoMs: 5 * dayMs,
    outcome: 'cancelled',
    times: { totalSeconds: 60, approvalWaitSeconds: 0 },
    category: 'dns',
    // Cancelled cases are not asked: a stray answer does not count.
    score: 1,
  },
  {
    id: 'b1',
    customer: 'B',
    agoMs: 6 * dayMs,
    outcome: 'resolved',
    resolvedBy: 'automation',
    times: { totalSeconds: 300, resolutionSeconds: 300, approvalWaitSeconds: 60 },
    category: 'dns',
    score: 3,
  },
  {
    id: 'b2',
    customer: 'B',
    agoMs: 7 * dayMs,
    outcome: 'escalated',
    legacy: true,
    category: 'wifi',
  },
  // Outside the report's period, inside the metrics' 30 days.
  {
    id: 'a6',
    customer: 'A',
    agoMs: 11 * dayMs,
    outcome: 'resolved',
    resolvedBy: 'automation',
    times: { totalSeconds: 7200, resolutionSeconds: 7200, approvalWaitSeconds: 0 },
    category: 'dns',
    score: 2,
  },
  // Outside both.
  {
    id: 'b3',
    customer: 'B',
    agoMs: 40 * dayMs,
    outcome: 'resolved',
    resolvedBy: 'technician',
    times: { totalSeconds: 50, resolutionSeconds: 50, approvalWaitSeconds: 50 },
    category: 'modem',
    score: 1,
  },
];

export interface KpiFixture {
  /** The minute the fixture counts back from: the report period's end. */
  t: number;
  from: string;
  to: string;
  customerA: string;
  customerB: OtherTenant;
  caseId(id: string): string;
}

export async function seedKpiFixture(stack: TestStack): Promise<KpiFixture> {
  const t = Math.floor(Date.now() / 60_000) * 60_000;
  const customerB = await seedOtherTenant();
  const customerA = stack.demo.customer.id;
  const customerOf = (c: 'A' | 'B') => (c === 'A' ? customerA : customerB.customerId);
  const caseId = (id: string) => `kpi-${id}-${t}`;

  for (const c of fixtureCases) {
    const completedAt = new Date(t - c.agoMs);
    const openedAt = new Date(completedAt.getTime() - (c.times?.totalSeconds ?? 600) * 1000);
    await Case.collection.insertOne({
      _id: caseId(c.id) as never,
      workflowId: `support-case-${caseId(c.id)}`,
      customerId: customerOf(c.customer),
      deviceId: c.customer === 'A' ? stack.demo.device.deviceId : customerB.deviceId,
      channel: 'portal',
      status: c.outcome,
      issueCategory: c.category,
      createdAt: openedAt,
      updatedAt: completedAt,
      completedAt,
      ...(!c.legacy && {
        outcome: c.outcome,
        ...(c.resolvedBy && { resolvedBy: c.resolvedBy }),
        times: c.times,
        slaBreaches: (c.breaches ?? []).map((kind) => ({ kind, at: completedAt.getTime() })),
      }),
    });
    if (c.score !== undefined) {
      await CaseSatisfaction.collection.insertOne({
        _id: caseId(c.id) as never,
        customerId: customerOf(c.customer),
        score: c.score,
        channel: 'email',
        at: new Date(completedAt.getTime() + 60_000),
      });
    }
  }
  // An open case nobody has claimed: not closed, so in no figure but the queue gauge.
  await Case.collection.insertOne({
    _id: caseId('open') as never,
    workflowId: `support-case-${caseId('open')}`,
    customerId: customerA,
    deviceId: stack.demo.device.deviceId,
    channel: 'phone',
    status: 'awaiting_technician',
    issueCategory: 'isp',
    createdAt: new Date(t - hourMs),
    updatedAt: new Date(t - hourMs),
  });

  // Boxes: X and Y of A, Z of B (the seeded boxes never connected, so they do not count).
  const box = async (deviceId: string, customerId: string, status: string, sinceAgo: number) => {
    await Device.collection.insertOne({
      _id: `dev-${deviceId}` as never,
      customerId,
      siteId: 'site',
      deviceId,
      serialNumber: `SN-${deviceId}`,
      tokenHash: `hash-${deviceId}`,
      status,
      createdAt: new Date(t - sinceAgo),
      updatedAt: new Date(t),
    });
  };
  await box(`kpi-x-${t}`, customerA, 'online', 20 * dayMs);
  await box(`kpi-y-${t}`, customerA, 'offline', 5 * dayMs);
  await box(`kpi-z-${t}`, customerB.customerId, 'online', 20 * dayMs);
  const outage = async (
    deviceId: string,
    customerId: string,
    startAgo: number,
    endAgo?: number,
  ) => {
    const start = new Date(t - startAgo);
    await HealthOutage.collection.insertOne({
      _id: `offline|${deviceId}|${start.getTime()}` as never,
      deviceId,
      customerId,
      kind: 'offline',
      start,
      ...(endAgo !== undefined && { end: new Date(t - endAgo) }),
      notified: true,
      backNotified: endAgo !== undefined,
    });
  };
  // X: offline across the period's start (one day of it inside), and six hours three days ago.
  await outage(`kpi-x-${t}`, customerA, 12 * dayMs, 9 * dayMs);
  await outage(`kpi-x-${t}`, customerA, 3 * dayMs, 3 * dayMs - 6 * hourMs);
  // Y: offline for the last day, still.
  await outage(`kpi-y-${t}`, customerA, dayMs);

  return {
    t,
    from: new Date(t - 10 * dayMs).toISOString(),
    to: new Date(t).toISOString(),
    customerA,
    customerB,
    caseId,
  };
}
