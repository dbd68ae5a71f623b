import { ActivityFailure, continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { MonthlyReportActivities, ReportSendOutcome } from '../activities/monthlyReports';
import { previousMonthKey } from '../reports/month';

// Started by a Temporal Schedule (workers/schedules.ts) on the 1st of each month at 06:00
// UTC, for the month before: every active customer's report, one activity each. The
// activity's sent record keeps it to one email per customer and month, however often
// this run is retried or started.

export interface MonthlyReportsInput {
  /** YYYY-MM; the month before the run's start when absent (the schedule's runs). */
  month?: string;
  /** Customers up to this id are done (a run continued as new). */
  after?: string;
  /** How a refused send is retried before it is reported (tests shorten it). */
  sendRetry?: { maximumAttempts: number; initialIntervalMs: number };
  /** What the runs before this one (continued as new) did. */
  done?: MonthlyReportsResult;
}

export interface MonthlyReportsResult {
  month: string;
  outcomes: Partial<Record<ReportSendOutcome | 'failed', number>>;
  /** The reports that could not be sent (the first hundred). */
  failed: { customerId: string; error: string }[];
}

/** Customers read per page, sent at once, and handled per run before continuing as new. */
const pageSize = 100;
const atOnce = 5;
const perRun = 1000;
const maxFailuresListed = 100;

const { listReportCustomers, recordReportFailure } = proxyActivities<MonthlyReportActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 5 },
});

export async function monthlyReports(
  input: MonthlyReportsInput = {},
): Promise<MonthlyReportsResult> {
  const month = input.month ?? previousMonthKey(new Date());
  const retry = input.sendRetry ?? { maximumAttempts: 6, initialIntervalMs: 60_000 };
  const { sendMonthlyReport } = proxyActivities<MonthlyReportActivities>({
    // Reading a month of history for each box, then one SMTP send.
    startToCloseTimeout: '5 minutes',
    retry: {
      maximumAttempts: retry.maximumAttempts,
      initialInterval: retry.initialIntervalMs,
      backoffCoefficient: 2,
      maximumInterval: '30 minutes',
      nonRetryableErrorTypes: ['NoMailServer'],
    },
  });
  const result: MonthlyReportsResult = input.done ?? { month, outcomes: {}, failed: [] };
  const count = (outcome: ReportSendOutcome | 'failed') => {
    result.outcomes[outcome] = (result.outcomes[outcome] ?? 0) + 1;
  };

  async function sendOne(customerId: string): Promise<void> {
    try {
      count(await sendMonthlyReport({ customerId, month }));
    } catch (err) {
      const error =
        err instanceof ActivityFailure ? (err.cause?.message ?? err.message) : String(err);
      count('failed');
      if (result.failed.length < maxFailuresListed) result.failed.push({ customerId, error });
      await recordReportFailure({ customerId, month, error });
    }
  }

  let after = input.after;
  for (let handled = 0; handled < perRun;) {
    const page = await listReportCustomers({ after, limit: pageSize });
    if (page.length === 0) return result;
    for (let i = 0; i < page.length; i += atOnce) {
      await Promise.all(page.slice(i, i + atOnce).map(sendOne));
    }
    handled += page.length;
    after = page.at(-1);
    if (page.length < pageSize) return result;
  }
  // A long list keeps each run's history short.
  return continueAsNew<typeof monthlyReports>({ ...input, month, after, done: result });
}
