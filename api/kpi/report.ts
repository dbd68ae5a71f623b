import type { KpiReport } from '../../contracts/kpi';
import { boxFigures } from './boxes';
import { kpiFigures } from './figures';
import { readAnswers, readBoxes, readClosedCases } from './read';

// One report: read what the period needs, then add it up (./figures.ts).

export interface KpiPeriod {
  from: Date;
  to: Date;
  customerId?: string;
}

export async function kpiReport(period: KpiPeriod, now = new Date()): Promise<KpiReport> {
  const [cases, { boxes, outages }] = await Promise.all([
    readClosedCases(period),
    readBoxes(period),
  ]);
  const answers = await readAnswers(cases.map((c) => c.caseId));
  return kpiFigures({
    period,
    cases,
    answers,
    boxes: boxFigures(boxes, outages, period, now),
  });
}
