import { z } from 'zod';

// The numbers for operators (api/kpi, GET /api/kpi, the portal's KPI page): what closed
// cases, satisfaction answers and the boxes' health history add up to over a period.

/** The longest period one report covers: a year, and a day for a leap year. */
export const kpiMaxDays = 366;
const dayMs = 24 * 3_600_000;

const isoTime = (name: string) =>
  z.iso.datetime({
    offset: true,
    error: `"${name}" must be a date and time such as 2026-11-01T00:00:00Z`,
  });

export const KpiQuery = z
  .object({
    /** The period [from, to): cases count by the moment they closed. */
    from: isoTime('from'),
    to: isoTime('to'),
    /** One customer's numbers; all customers' without it. */
    customerId: z.string().trim().min(1).max(100).optional(),
  })
  .strict()
  .superRefine((query, ctx) => {
    const span = Date.parse(query.to) - Date.parse(query.from);
    if (Number.isNaN(span)) return; // a date that is none is said above
    if (span <= 0) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: '"to" must be after "from"' });
    } else if (span > kpiMaxDays * dayMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `A report covers at most ${kpiMaxDays} days: give a shorter period`,
      });
    }
  });
export type KpiQuery = z.infer<typeof KpiQuery>;

const count = z.number().int().nonnegative();
const seconds = z.number().nonnegative();
const ratio = z.number().min(0).max(1);

/**
 * Durations of the cases that had one. p50 and p90 by the nearest-rank rule (api/kpi/quantiles.ts):
 * the smallest recorded value that at least that share of the values do not exceed; absent
 * when no case had such a duration.
 */
export const KpiQuantiles = z.object({
  count,
  p50: seconds.optional(),
  p90: seconds.optional(),
});
export type KpiQuantiles = z.infer<typeof KpiQuantiles>;

export const kpiOutcomes = ['resolved', 'not_fixable_remotely', 'escalated', 'cancelled'] as const;
export const KpiOutcomeCounts = z.object({
  resolved: count,
  not_fixable_remotely: count,
  escalated: count,
  cancelled: count,
});
export type KpiOutcomeCounts = z.infer<typeof KpiOutcomeCounts>;

export const KpiDay = z.object({
  /** The UTC day, YYYY-MM-DD. */
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  closed: KpiOutcomeCounts,
  /** Time to resolution p50 of the cases resolved that day. */
  mttrP50Seconds: seconds.optional(),
});
export type KpiDay = z.infer<typeof KpiDay>;

export const KpiReport = z.object({
  period: z.object({
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    customerId: z.string().optional(),
  }),
  cases: z.object({
    /** Cases closed in the period, whatever the outcome. */
    closed: count,
    byOutcome: KpiOutcomeCounts,
    /** Closed cases by issue category; categories without a case are left out. */
    byCategory: z.record(z.string(), count),
  }),
  /** Resolved cases, and those of them the automation or the customer resolved without a technician. */
  resolvedWithoutPerson: z.object({
    resolved: count,
    withoutPerson: count,
    ratio: ratio.optional(),
  }),
  /** Time to resolution of resolved cases: all, automatic (automation or customer), technician. */
  timeToResolution: z.object({
    all: KpiQuantiles,
    automatic: KpiQuantiles,
    technician: KpiQuantiles,
  }),
  /** Time fixes waited for the customer's decision, over the cases that waited at all. */
  approvalWait: KpiQuantiles,
  /** From the hand-over to a technician's first action, over the cases handed over and answered. */
  firstResponse: KpiQuantiles,
  slaBreaches: z.object({ first_response: count, resolution: count }),
  satisfaction: z.object({
    /** Closed cases that were asked: every closed case but the cancelled ones. */
    asked: count,
    answers: count,
    average: z.number().min(1).max(5).optional(),
    responseRatio: ratio.optional(),
  }),
  boxes: z.object({
    /** Boxes that have ever connected and are not revoked. */
    count,
    onlineNow: count,
    onlineNowRatio: ratio.optional(),
    /** Box-minutes online over the period's box-minutes (up to now), from the offline outages. */
    onlinePeriodRatio: ratio.optional(),
  }),
  /** One entry per UTC day of the period, for the charts. */
  daily: z.array(KpiDay),
});
export type KpiReport = z.infer<typeof KpiReport>;
