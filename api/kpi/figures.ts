import type { CaseOutcome, CaseTimes, ResolvedBy } from '../../contracts/caseFigures';
import type { KpiDay, KpiOutcomeCounts, KpiReport } from '../../contracts/kpi';
import type { SlaBreach } from '../../contracts/technician';
import { quantiles } from './quantiles';

// The numbers as a pure function: closed cases, their satisfaction answers and the boxes'
// figures in, the report out. Nothing here reads the store or the clock.

/** A closed case as the numbers read it (api/kpi/read.ts). */
export interface ClosedCase {
  caseId: string;
  customerId: string;
  completedAt: Date;
  outcome: CaseOutcome;
  resolvedBy?: ResolvedBy;
  times?: Partial<CaseTimes>;
  slaBreaches: SlaBreach[];
  issueCategory: string;
}

export interface SatisfactionScore {
  caseId: string;
  score: number;
}

export interface KpiInput {
  period: { from: Date; to: Date; customerId?: string };
  /** Cases closed in [from, to), of the customer when one is given. */
  cases: ClosedCase[];
  /** Answers of any case; only those of the cases above count. */
  answers: SatisfactionScore[];
  boxes: KpiReport['boxes'];
}

const dayMs = 24 * 3_600_000;

function noCases(): KpiOutcomeCounts {
  return { resolved: 0, not_fixable_remotely: 0, escalated: 0, cancelled: 0 };
}

function withoutPerson(by: ResolvedBy | undefined): boolean {
  return by === 'automation' || by === 'customer';
}

function share(part: number, whole: number): number | undefined {
  return whole > 0 ? part / whole : undefined;
}

/** The resolution time of a resolved case, where recorded. */
function resolutionSeconds(c: ClosedCase): number | undefined {
  return c.outcome === 'resolved' ? c.times?.resolutionSeconds : undefined;
}

function defined(values: (number | undefined)[]): number[] {
  return values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}

/** Every UTC day that [from, to) touches, as YYYY-MM-DD. */
export function daysOf(from: Date, to: Date): string[] {
  const days: string[] = [];
  const first = Math.floor(from.getTime() / dayMs) * dayMs;
  for (let at = first; at < to.getTime(); at += dayMs) {
    days.push(new Date(at).toISOString().slice(0, 10));
  }
  return days;
}

function dailySeries(cases: ClosedCase[], from: Date, to: Date): KpiDay[] {
  const byDay = new Map(daysOf(from, to).map((day) => [day, [] as ClosedCase[]]));
  for (const c of cases) byDay.get(c.completedAt.toISOString().slice(0, 10))?.push(c);
  return [...byDay].map(([day, closed]) => {
    const counts = noCases();
    for (const c of closed) counts[c.outcome] += 1;
    const { p50 } = quantiles(defined(closed.map(resolutionSeconds)));
    return { day, closed: counts, ...(p50 !== undefined && { mttrP50Seconds: p50 }) };
  });
}

export function kpiFigures({ period, cases, answers, boxes }: KpiInput): KpiReport {
  const byOutcome = noCases();
  const byCategory: Record<string, number> = {};
  const breaches = { first_response: 0, resolution: 0 };
  for (const c of cases) {
    byOutcome[c.outcome] += 1;
    byCategory[c.issueCategory] = (byCategory[c.issueCategory] ?? 0) + 1;
    for (const breach of c.slaBreaches) breaches[breach.kind] += 1;
  }

  const resolved = cases.filter((c) => c.outcome === 'resolved');
  const automatic = resolved.filter((c) => withoutPerson(c.resolvedBy));
  const byTechnician = resolved.filter((c) => c.resolvedBy === 'technician');

  // Cancelled cases are never asked; an answer counts with the case it is about.
  const asked = new Set(cases.filter((c) => c.outcome !== 'cancelled').map((c) => c.caseId));
  const scores = answers.filter((a) => asked.has(a.caseId)).map((a) => a.score);
  const average = share(
    scores.reduce((sum, s) => sum + s, 0),
    scores.length,
  );
  const responseRatio = share(scores.length, asked.size);
  const ratio = share(automatic.length, resolved.length);

  return {
    period: {
      from: period.from.toISOString(),
      to: period.to.toISOString(),
      ...(period.customerId !== undefined && { customerId: period.customerId }),
    },
    cases: { closed: cases.length, byOutcome, byCategory },
    resolvedWithoutPerson: {
      resolved: resolved.length,
      withoutPerson: automatic.length,
      ...(ratio !== undefined && { ratio }),
    },
    timeToResolution: {
      all: quantiles(defined(resolved.map(resolutionSeconds))),
      automatic: quantiles(defined(automatic.map(resolutionSeconds))),
      technician: quantiles(defined(byTechnician.map(resolutionSeconds))),
    },
    approvalWait: quantiles(
      defined(cases.map((c) => c.times?.approvalWaitSeconds)).filter((s) => s > 0),
    ),
    firstResponse: quantiles(defined(cases.map((c) => c.times?.firstResponseSeconds))),
    slaBreaches: breaches,
    satisfaction: {
      asked: asked.size,
      answers: scores.length,
      ...(average !== undefined && { average }),
      ...(responseRatio !== undefined && { responseRatio }),
    },
    boxes,
    daily: dailySeries(cases, period.from, period.to),
  };
}
