import mongoose from 'mongoose';
import { NotificationDoc } from './records';
import { Refused } from './refused';

// Sent once per delivery, whatever the retries. Each delivery has a `notifications` document
// (./records.ts), written when the event was planned. An attempt claims it before the send
// and marks it sent after:
//  - a retry that finds it sent does nothing;
//  - one that finds it claimed by an earlier attempt (a worker that died mid-send, or a send
//    that timed out) cannot know whether that message went out, so it does not send again:
//    the delivery is marked `unconfirmed` and reported. Only where the provider itself
//    de-duplicates (PagerDuty's dedup_key) is the send simply made again;
//  - a send the provider refused releases the claim, and the activity's retry tries again.

export type Settled = 'sent' | 'unconfirmed' | 'failed';

export interface Attempt {
  key: string;
  /** Unique per activity attempt. */
  attemptId: string;
  /** The provider de-duplicates a repeated send. */
  providerDedups: boolean;
}

export async function deliverOnce(
  { key, attemptId, providerDedups }: Attempt,
  send: (address: string) => Promise<{ providerId?: string }>,
): Promise<Settled> {
  const claimed = await NotificationDoc.findOneAndUpdate(
    { _id: key, status: mongoose.trusted({ $in: ['open', 'deferred'] }) },
    { $set: { status: 'claimed', claimedBy: attemptId }, $inc: { attempts: 1 } },
    { new: true },
  ).lean();
  let address = claimed?.address as string | undefined;
  if (!claimed) {
    const doc = await NotificationDoc.findById(key).lean();
    if (!doc) throw new Error(`No planned notification ${key}`);
    if (doc.status === 'sent' || doc.status === 'unconfirmed' || doc.status === 'failed') {
      return doc.status;
    }
    // Claimed by an attempt that is gone: its send may or may not have gone out.
    if (!providerDedups) {
      await NotificationDoc.updateOne(
        { _id: key, status: 'claimed' },
        {
          $set: {
            status: 'unconfirmed',
            error: 'The worker stopped during the send: not sent again, to avoid a duplicate',
          },
        },
      );
      return 'unconfirmed';
    }
    await NotificationDoc.updateOne(
      { _id: key },
      { $set: { claimedBy: attemptId }, $inc: { attempts: 1 } },
    );
    address = doc.address as string;
  }
  let providerId: string | undefined;
  try {
    ({ providerId } = await send(address!));
  } catch (err) {
    // Released only while still this attempt's claim: an attempt that outlived its time may
    // answer after the delivery was given up and recorded failed, which must stay so.
    if (err instanceof Refused) {
      await NotificationDoc.updateOne(
        { _id: key, claimedBy: attemptId, status: 'claimed' },
        { $set: { status: 'open', error: err.message } },
      );
    }
    throw err;
  }
  await NotificationDoc.updateOne(
    { _id: key, claimedBy: attemptId },
    {
      $set: { status: 'sent', sentAt: new Date(), ...(providerId && { providerId }) },
      $unset: { error: 1, address: 1 },
    },
  );
  return 'sent';
}
