import { activityInfo, ApplicationFailure, log } from '@temporalio/activity';
import mongoose from 'mongoose';
import { sendMail } from '../notifier/email';
import { Refused } from '../notifier/refused';
import { maskRecipient } from '../notifier/words';
import { gatherMonthlyReport } from '../reports/monthly';
import { renderMonthlyEmail } from '../reports/monthlyEmail';
import { Customer } from '../store/models';
import { MonthlyReportSent, reportSentId } from '../store/monthlyReports';
import { loadNotificationSettings } from '../store/notificationSettings';
import type { NotifierConfig } from './notifications';

// The monthlyReports workflow's activities: which customers get a report, and one report
// sent per customer and month, whatever the retries and however often the run starts.

export interface ReportJob {
  customerId: string;
  /** YYYY-MM */
  month: string;
}

/**
 * sent: this attempt sent it. already-sent: an earlier run did. being-sent: another run
 * holds the claim now. unconfirmed: an earlier attempt of this very send stopped mid-send,
 * so it may have gone out: not sent again, to avoid a second copy.
 */
export type ReportSendOutcome =
  'sent' | 'already-sent' | 'being-sent' | 'unconfirmed' | 'no-recipients' | 'no-customer';

const duplicateKey = 11000;
const isDuplicate = (err: unknown) => (err as { code?: number }).code === duplicateKey;

export function createMonthlyReportActivities(config: NotifierConfig) {
  /** Active customers after `after` (by id), `limit` of them: the run pages through. */
  async function listReportCustomers({
    after,
    limit,
  }: {
    after?: string;
    limit: number;
  }): Promise<string[]> {
    const docs = await Customer.find(
      {
        subscriptionStatus: 'active',
        ...(after !== undefined && { _id: mongoose.trusted({ $gt: after }) }),
      },
      { _id: 1 },
    )
      .sort({ _id: 1 })
      .limit(limit)
      .lean();
    return docs.map((d) => d._id);
  }

  async function sendMonthlyReport({ customerId, month }: ReportJob): Promise<ReportSendOutcome> {
    if (!config.email) {
      throw ApplicationFailure.nonRetryable(
        'No mail server is set up (SMTP_URL): monthly reports cannot be sent',
        'NoMailServer',
      );
    }
    const report = await gatherMonthlyReport(customerId, month);
    if (!report) return 'no-customer';
    const to = await recipientsOf(customerId);
    if (to.length === 0) return 'no-recipients';

    const info = activityInfo();
    const run = info.workflowExecution;
    const send = `${run?.workflowId}:${run?.runId}:${info.activityId}`;
    const claimedBy = `${send}#${info.attempt}`;
    const id = reportSentId(customerId, month);
    const held = await claim(id, { customerId, month, claimedBy });
    if (held !== 'claimed') {
      if (held.status === 'sent') return 'already-sent';
      if (held.claimedBy?.startsWith(`${send}#`)) {
        log.error('monthly report may not have arrived: the send before stopped mid-way', {
          customerId,
          month,
        });
        return 'unconfirmed';
      }
      return 'being-sent';
    }

    const email = renderMonthlyEmail(report, { supportNumber: config.supportNumber });
    let messageId: string | undefined;
    try {
      ({ providerId: messageId } = await sendMail(config.email, { to, ...email }));
    } catch (err) {
      // Nothing went out: the claim goes, so the retry may claim and send.
      if (err instanceof Refused) await MonthlyReportSent.deleteOne({ _id: id, claimedBy });
      throw err;
    }
    await MonthlyReportSent.updateOne(
      { _id: id, claimedBy },
      {
        $set: {
          status: 'sent',
          sentAt: new Date(),
          recipients: to.map(maskRecipient),
          ...(messageId && { messageId }),
        },
      },
    );
    return 'sent';
  }

  /** A report that could not be sent after its retries: recorded for operators, and logged. */
  async function recordReportFailure({
    customerId,
    month,
    error,
  }: ReportJob & { error: string }): Promise<void> {
    log.error('monthly report not sent', { customerId, month, error });
    try {
      await MonthlyReportSent.updateOne(
        { _id: reportSentId(customerId, month), status: mongoose.trusted({ $ne: 'sent' }) },
        {
          $set: { status: 'failed', failedAt: new Date(), error: error.slice(0, 500) },
          $setOnInsert: { customerId, month },
        },
        { upsert: true },
      );
    } catch (err) {
      // Sent meanwhile by another run: nothing to record.
      if (!isDuplicate(err)) throw err;
    }
  }

  return { listReportCustomers, sendMonthlyReport, recordReportFailure };
}

/** The customer's email contacts, or the account's own address when none has email. */
async function recipientsOf(customerId: string): Promise<string[]> {
  const settings = await loadNotificationSettings(customerId);
  const chosen = (settings?.contacts ?? [])
    .filter((c) => c.channels.includes('email') && c.email)
    .map((c) => c.email!);
  if (chosen.length) return [...new Set(chosen)];
  const customer = await Customer.findById(customerId, { email: 1 }).lean();
  return customer?.email ? [customer.email] : [];
}

/**
 * Inserts the month's sent record as this attempt's claim; or the record that is there. A
 * failed one (every retry refused, earlier) gives way to a new claim.
 */
async function claim(
  id: string,
  fields: { customerId: string; month: string; claimedBy: string },
): Promise<'claimed' | { status: string; claimedBy?: string | null }> {
  for (let tries = 0; tries < 2; tries++) {
    try {
      await MonthlyReportSent.create({ _id: id, status: 'sending', ...fields });
      return 'claimed';
    } catch (err) {
      if (!isDuplicate(err)) throw err;
    }
    const held = await MonthlyReportSent.findById(id, { status: 1, claimedBy: 1 }).lean();
    if (held && held.status !== 'failed') return held;
    if (held) await MonthlyReportSent.deleteOne({ _id: id, status: 'failed' });
  }
  return { status: 'sending' };
}

export type MonthlyReportActivities = ReturnType<typeof createMonthlyReportActivities>;
