import mongoose, { Schema } from 'mongoose';
import type { NotificationEventType } from '../contracts/notifications';
import { eventWords } from './words';

// The notifier's documents. `notifications`: one per delivery (its key: the event's key, the
// channel and the recipient), claimed before the send and marked after it, which makes each
// delivery go out once (see ./deliver.ts). `pager_incidents`: the PagerDuty incidents we
// opened, per device, until their trouble is over.

export type DeliveryStatus = 'deferred' | 'open' | 'claimed' | 'sent' | 'failed' | 'unconfirmed';

const notificationSchema = new Schema(
  {
    _id: { type: String, required: true },
    eventKey: { type: String, required: true },
    eventType: { type: String, required: true },
    customerId: { type: String, required: true },
    deviceId: String,
    caseId: String,
    channel: { type: String, required: true },
    audience: { type: String, required: true },
    /** What the audit trail shows. */
    recipient: { type: String, required: true },
    /** Where it goes: kept here, not in the workflow's history, and dropped once sent. */
    address: String,
    status: { type: String, required: true },
    /** The attempt holding the claim, so a later attempt knows the claim is not its own. */
    claimedBy: String,
    attempts: { type: Number, default: 0 },
    deferredUntil: Date,
    sentAt: Date,
    failedAt: Date,
    error: String,
    /** The provider's id of the message, when it gives one. */
    providerId: String,
  },
  { timestamps: true, collection: 'notifications', versionKey: false },
);
notificationSchema.index({ caseId: 1, createdAt: 1 });

const incidentSchema = new Schema(
  {
    _id: { type: String, required: true },
    deviceId: { type: String, required: true },
    caseId: String,
    status: { type: String, enum: ['triggered', 'acknowledged', 'resolved'], required: true },
  },
  { timestamps: true, collection: 'pager_incidents', versionKey: false },
);
incidentSchema.index({ deviceId: 1, status: 1 });

export const NotificationDoc = mongoose.model('Notification', notificationSchema);
export const PagerIncident = mongoose.model('PagerIncident', incidentSchema);

/**
 * A delivery given up as failed, with why. A last try that ran out of time says nothing of why
 * the ones before failed (an SMTP server refusing): what they recorded is kept beside it. One
 * that went out meanwhile (sent, or its fate unknown) stays as it is. Returns the error kept.
 */
export async function recordDeliveryFailed(key: string, error: string): Promise<string> {
  const earlier = (await NotificationDoc.findById(key, { error: 1 }).lean())?.error;
  const kept =
    earlier && !error.includes(earlier) ? `${error} (the try before: ${earlier})` : error;
  await NotificationDoc.updateOne(
    { _id: key, status: mongoose.trusted({ $nin: ['sent', 'unconfirmed'] }) },
    { $set: { status: 'failed', failedAt: new Date(), error: kept.slice(0, 500) } },
  );
  return kept;
}

/** The dedup keys of a device's incidents that are not resolved. */
export async function openIncidents(deviceId: string | undefined): Promise<string[]> {
  if (!deviceId) return [];
  const open = await PagerIncident.find(
    { deviceId, status: mongoose.trusted({ $ne: 'resolved' }) },
    { _id: 1 },
  ).lean();
  return open.map((i) => i._id);
}

export async function noteIncident(
  dedupKey: string,
  action: 'trigger' | 'acknowledge' | 'resolve',
  deviceId: string | undefined,
  caseId: string | undefined,
): Promise<void> {
  const status = { trigger: 'triggered', acknowledge: 'acknowledged', resolve: 'resolved' }[action];
  await PagerIncident.updateOne(
    { _id: dedupKey },
    { $set: { status }, $setOnInsert: { deviceId: deviceId ?? 'none', ...(caseId && { caseId }) } },
    { upsert: true },
  );
}

/**
 * One delivery's outcome as the case's audit trail shows it: shaped like the trail's steps
 * (actionType, actor, channel, actionDetails), so a reader of steps reads these too, and
 * marked `kind: 'notification'`.
 */
export interface NotificationAuditEntry {
  id: string;
  kind: 'notification';
  actionType: `notification_${Outcome}`;
  actor: { id: 'notifier'; role: 'service' };
  who: string;
  channel: string;
  recipient: string;
  outcome: Outcome;
  actionDetails: { event: string; note: string; deferredUntil?: Date; error?: string };
  userApproved: false;
  executedAt: Date;
}

type Outcome = 'deferred' | 'pending' | 'sent' | 'failed' | 'unconfirmed';

const outcomeWords: Record<Outcome, string> = {
  deferred: 'held until the quiet hours end',
  pending: 'being sent',
  sent: 'sent',
  failed: 'not delivered',
  unconfirmed: 'may not have arrived',
};

/** Each delivery of a case's events: deferred when it waited, then how it ended. */
export async function notificationsOfCase(caseId: string): Promise<NotificationAuditEntry[]> {
  const docs = await NotificationDoc.find({ caseId }).sort({ createdAt: 1 }).lean();
  const entries = docs.flatMap((doc) => {
    const entry = (outcome: Outcome, executedAt: Date): NotificationAuditEntry => ({
      id: `${doc._id}:${outcome}`,
      kind: 'notification',
      actionType: `notification_${outcome}`,
      actor: { id: 'notifier', role: 'service' },
      who: 'Zen & Zen notifier',
      channel: doc.channel,
      recipient: doc.recipient,
      outcome,
      actionDetails: {
        event: doc.eventType,
        note: `${eventWords[doc.eventType as NotificationEventType] ?? doc.eventType}: ${doc.channel} to ${doc.recipient}, ${outcomeWords[outcome]}`,
        ...(outcome === 'deferred' && doc.deferredUntil && { deferredUntil: doc.deferredUntil }),
        ...((outcome === 'failed' || outcome === 'unconfirmed') &&
          doc.error && { error: doc.error }),
      },
      userApproved: false,
      executedAt,
    });
    const entries: NotificationAuditEntry[] = [];
    if (doc.deferredUntil) entries.push(entry('deferred', doc.createdAt));
    const settled =
      doc.status === 'sent' || doc.status === 'failed' || doc.status === 'unconfirmed'
        ? doc.status
        : doc.status === 'deferred'
          ? undefined
          : 'pending';
    if (settled) entries.push(entry(settled, doc.sentAt ?? doc.failedAt ?? doc.updatedAt));
    return entries;
  });
  return entries.sort((x, y) => x.executedAt.getTime() - y.executedAt.getTime());
}
