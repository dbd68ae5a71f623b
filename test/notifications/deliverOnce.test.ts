import { connectStore, disconnectStore } from '../../store/connection';
import { deliverOnce } from '../../notifier/deliver';
import { NotificationDoc, recordDeliveryFailed } from '../../notifier/records';
import { Refused } from '../../notifier/refused';
import { freshMongoUrl } from '../support/env';
import { eventually } from '../support/stack';

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

/**
 * An attempt that claimed the delivery and is still sending when the delivery's time runs out
 * and it is recorded failed, as the case's notifier does; `answer` lets the send answer then.
 */
async function attemptOutlivingItsTime(key: string) {
  await planned(key);
  const { send, answer } = heldSend();
  const attempt = deliverOnce({ key, attemptId: 'a1', providerDedups: false }, send);
  await eventually(async () => (await NotificationDoc.findById(key).lean())?.status === 'claimed', {
    what: `${key} claimed`,
  });
  await recordDeliveryFailed(key, 'timed out');
  return { attempt, answer };
}

test('a refusal that comes after the delivery was given up leaves it failed', async () => {
  const { attempt, answer } = await attemptOutlivingItsTime('late-refusal');
  answer(true);
  await expect(attempt).rejects.toThrow(Refused);
  expect(await NotificationDoc.findById('late-refusal').lean()).toMatchObject({
    status: 'failed',
    error: 'timed out',
  });
});

/** An attempt the provider refuses at once, while the claim is still its own. */
async function refusedAttempt(key: string) {
  await planned(key);
  const { send, answer } = heldSend();
  answer(true);
  await expect(deliverOnce({ key, attemptId: 'a1', providerDedups: false }, send)).rejects.toThrow(
    Refused,
  );
}

test('a refusal while the claim is its own releases it for the next attempt', async () => {
  await refusedAttempt('refusal');
  expect(await NotificationDoc.findById('refusal').lean()).toMatchObject({
    status: 'open',
    error: '550 mailbox unavailable',
  });
});

test('a send that goes through after it was given up is recorded sent: it did go out', async () => {
  const { attempt, answer } = await attemptOutlivingItsTime('late-send');
  answer(false);
  await expect(attempt).resolves.toBe('sent');
  expect((await NotificationDoc.findById('late-send').lean())?.status).toBe('sent');
});

test('a delivery given up after a refusal keeps why the try before failed', async () => {
  await refusedAttempt('refused-then-timed-out');
  const kept = 'timed out (the try before: 550 mailbox unavailable)';
  await expect(recordDeliveryFailed('refused-then-timed-out', 'timed out')).resolves.toBe(kept);
  expect(await NotificationDoc.findById('refused-then-timed-out').lean()).toMatchObject({
    status: 'failed',
    error: kept,
  });
});
