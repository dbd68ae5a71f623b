import type { KpiOutcome, KpiQuantiles } from '../../shared/types/api';

// The KPI page's arithmetic and words: which period a choice means, and figures as a person
// reads them ("12 min", "87 %", "4.3 of 5").

const dayMs = 24 * 3_600_000;

export type PeriodChoice =
  | { kind: 'last'; days: 7 | 30 | 90 }
  | { kind: 'month'; month: string }
  | { kind: 'custom'; from: string; to: string };

/** [from, to) in ISO; a month and custom dates are whole UTC days, the end day included. */
export function periodOf(choice: PeriodChoice, now: Date): { from: string; to: string } | string {
  if (choice.kind === 'last') {
    return {
      from: new Date(now.getTime() - choice.days * dayMs).toISOString(),
      to: now.toISOString(),
    };
  }
  if (choice.kind === 'month') {
    const match = /^(\d{4})-(\d{2})$/.exec(choice.month);
    if (!match) return 'Choose a month.';
    const [year, month] = [Number(match[1]), Number(match[2]) - 1];
    return {
      from: new Date(Date.UTC(year, month, 1)).toISOString(),
      to: new Date(Date.UTC(year, month + 1, 1)).toISOString(),
    };
  }
  const from = Date.parse(`${choice.from}T00:00:00Z`);
  const last = Date.parse(`${choice.to}T00:00:00Z`);
  if (Number.isNaN(from) || Number.isNaN(last)) return 'Choose the first and the last day.';
  if (last < from) return 'The last day must not be before the first.';
  return { from: new Date(from).toISOString(), to: new Date(last + dayMs).toISOString() };
}

/** A duration as a person says it: seconds under a minute, minutes under two hours, then hours. */
export function durationWords(seconds: number | undefined): string {
  if (seconds === undefined) return 'no data';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 3 * 86_400) return `${Math.round((seconds / 3600) * 10) / 10} h`;
  return `${Math.round((seconds / 86_400) * 10) / 10} days`;
}

export function percentWords(ratio: number | undefined): string {
  return ratio === undefined ? 'no data' : `${Math.round(ratio * 1000) / 10} %`;
}

export function quantileWords(q: KpiQuantiles): string {
  if (q.p50 === undefined) return 'no data';
  return `${durationWords(q.p50)} typical, ${durationWords(q.p90)} at most for 9 in 10`;
}

export function scoreWords(average: number | undefined): string {
  return average === undefined ? 'no answers' : `${Math.round(average * 10) / 10} of 5`;
}

export const outcomeLabels: Record<KpiOutcome, string> = {
  resolved: 'Resolved',
  not_fixable_remotely: 'Not fixable remotely',
  escalated: 'Handed over, not worked',
  cancelled: 'Cancelled',
};

/** The targets: MTTR under 30 minutes, satisfaction 4.5 of 5 or better. */
export const targets = { mttrSeconds: 30 * 60, csat: 4.5 };

export function targetWords(met: boolean | undefined): string {
  if (met === undefined) return '';
  return met ? 'target met' : 'target missed';
}

/** "3 Nov": a day of the series, as its label. */
export function dayLabel(day: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'short',
    timeZone: 'UTC',
  });
}

/** One series of DailyChart: its name in the legend, its colour, a value per day. */
export interface DailySeries {
  name: string;
  tone: 'ok' | 'warn' | 'bad' | 'muted' | 'link';
  values: (number | undefined)[];
}
