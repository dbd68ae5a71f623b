import mongoose, { Schema } from 'mongoose';

// One document per customer and month the monthly report was sent for (or is being sent,
// or failed), `${customerId}:${YYYY-MM}`. Inserting it is the claim: the unique _id lets
// exactly one sender through however often the month's run is retried or started
// (activities/monthlyReports.ts); only the claimer writes it after.

export type ReportSendStatus = 'sending' | 'sent' | 'failed';

const sentSchema = new Schema(
  {
    _id: { type: String, required: true },
    customerId: { type: String, required: true },
    month: { type: String, required: true },
    status: { type: String, enum: ['sending', 'sent', 'failed'], required: true },
    /** The activity attempt that holds the claim. */
    claimedBy: String,
    /** Masked, as the audit trail shows recipients. */
    recipients: [String],
    messageId: String,
    sentAt: Date,
    failedAt: Date,
    error: String,
  },
  { timestamps: true, collection: 'monthly_reports_sent', versionKey: false },
);

export const MonthlyReportSent = mongoose.model('MonthlyReportSent', sentSchema);

export function reportSentId(customerId: string, month: string): string {
  return `${customerId}:${month}`;
}
