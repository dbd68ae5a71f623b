// A report's month: "2026-11" as its key, its UTC edges, and its name in words. Pure, so
// the monthlyReports workflow may use it too.

export interface ReportMonth {
  /** YYYY-MM */
  key: string;
  /** The first instant of the month (UTC) and of the month after. */
  from: Date;
  to: Date;
  /** "November 2026" */
  label: string;
}

export const monthKeyPattern = /^(\d{4})-(0[1-9]|1[0-2])$/;

const monthNames = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** The month of a YYYY-MM key (checked by the caller against monthKeyPattern). */
export function reportMonth(key: string): ReportMonth {
  const match = monthKeyPattern.exec(key);
  if (!match) throw new Error(`Not a month: ${key}`);
  const year = Number(match[1]);
  const index = Number(match[2]) - 1;
  return {
    key,
    from: new Date(Date.UTC(year, index, 1)),
    to: new Date(Date.UTC(year, index + 1, 1)),
    label: `${monthNames[index]} ${year}`,
  };
}

/** The month before the one holding `now`: what the report sent on the 1st is about. */
export function previousMonthKey(now: Date): string {
  const before = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return before.toISOString().slice(0, 7);
}
