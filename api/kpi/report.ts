import type { KpiReport } from '../../contracts/kpi';
import { boxFigures } from './boxes';
import { kpiFigures } from './figures';
import { readAnswers, readBoxes, readClosedCases } from './read';

// Reports: read what the periods need once (the span that covers them all), then add up
// each period's part (./figures.ts). The metrics' 24-hour and 30-day windows share one read.

export interface KpiPeriod {
  from: Date;
  to: Date;
  customerId?: string;
}

/** One report per period; the periods must share their customer (or all have none). */
export async function kpiReports(periods: KpiPeriod[], now = new Date()): Promise<KpiReport[]> {
  const span: KpiPeriod = {
    from: new Date(Math.min(...periods.map((p) => p.from.getTime()))),
    to: new Date(Math.max(...periods.map((p) => p.to.getTime()))),
    ...(periods[0]?.customerId !== undefined && { customerId: periods[0].customerId }),
  };
  const [cases, { boxes, outages }] = await Promise.all([readClosedCases(span), readBoxes(span)]);
  const answers = await readAnswers(cases.map((c) => c.caseId));
  return periods.map((period) => {
    const inPeriod = cases.filter((c) => c.completedAt >= period.from && c.completedAt < period.to);
    return kpiFigures({
      period,
      cases: inPeriod,
      answers,
      boxes: boxFigures(boxes, outages, period, now),
    });
  });
}

export async function kpiReport(period: KpiPeriod, now = new Date()): Promise<KpiReport> {
  const [report] = await kpiReports([period], now);
  return report!;
}
