import mongoose from 'mongoose';
import { connectStore, disconnectStore } from '../../store/connection';
import { deliverOnce } from '../../notifier/deliver';
import { NotificationDoc } from '../../notifier/records';
import { Refused } from '../../notifier/refused';
import { freshMongoUrl } from '../support/env';

// A delivery's record against attempts that answer late: the activity's time ran out during a
// send, the case's notifier recorded the delivery failed, and then the send answered.

beforeAll(() => connectStore(freshMongoUrl('deliver-once')));
afterAll(() => disconnectStore());

async function planned(key: string) {
  await NotificationDoc.create({
    _id: key,
    eventKey: 'event',
    eventType: 'case_resolved',
    customerId: 'customer-1',
    channel: 'email',
    audience: 'customer',
    recipient: 'o***@example.com',
    address: 'owner@example.com',
    status: 'open',
  });
}

/** A send that waits until `answer` is called, then refuses or goes through. */
function heldSend() {
  let answer!: (refuse: boolean) => void;
  const sent = new Promise<boolean>((resolve) => (answer = resolve));
  const send = async () => {
    if (await sent) throw new Refused('550 mailbox unavailable');
    return { providerId: 'msg-1' };
  };
  return { send, answer };
}

/** What the workflow records when the delivery's time is up (activities/notifications.ts). */
async function givenUp(key: string) {
  await NotificationDoc.updateOne(
    { _id: key, status: mongoose.trusted({ $nin: ['sent', 'unconfirmed'] }) },
    { $set: { status: 'failed', failedAt: new Date(), error: 'timed out' } },
  );
}

test('a refusal that comes after the delivery was given up leaves it failed', async () => {
  await planned('late-refusal');
  const { send, answer } = heldSend();
  const attempt = deliverOnce(
    { key: 'late-refusal', attemptId: 'a1', providerDedups: false },
    send,
  );
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect((await NotificationDoc.findById('late-refusal').lean())?.status).toBe('claimed');
  await givenUp('late-refusal');
  answer(true);
  await expect(attempt).rejects.toThrow(Refused);
  expect(await NotificationDoc.findById('late-refusal').lean()).toMatchObject({
    status: 'failed',
    error: 'timed out',
  });
});

test('a refusal while the claim is its own releases it for the next attempt', async () => {
  await planned('refusal');
  const { send, answer } = heldSend();
  answer(true);
  await expect(
    deliverOnce({ key: 'refusal', attemptId: 'a1', providerDedups: false }, send),
  ).rejects.toThrow(Refused);
  expect(await NotificationDoc.findById('refusal').lean()).toMatchObject({
    status: 'open',
    error: '550 mailbox unavailable',
  });
});

test('a send that goes through after it was given up is recorded sent: it did go out', async () => {
  await planned('late-send');
  const { send, answer } = heldSend();
  const attempt = deliverOnce({ key: 'late-send', attemptId: 'a1', providerDedups: false }, send);
  await new Promise((resolve) => setTimeout(resolve, 100));
  await givenUp('late-send');
  answer(false);
  await expect(attempt).resolves.toBe('sent');
  expect((await NotificationDoc.findById('late-send').lean())?.status).toBe('sent');
});
