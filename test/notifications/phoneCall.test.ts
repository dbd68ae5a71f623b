import { createApiLink } from '../../activities/apiLink';
import type { PlaceCall } from '../../contracts/api';
import { NotificationDoc } from '../../notifier/records';
import { saveNotificationSettings } from '../../store/notificationSettings';
import { approve, connectDevice, openDemoCase, waitForStatus } from '../support/cases';
import { readLatestCode } from '../support/mail';
import { call, eventually, startTestStack, type TestStack } from '../support/stack';
import { waitForCallState, waitToHear } from '../voice/support';

// The notifier's phone channel: a contact who chose phone calls is rung when a fix waits for
// approval. The worker asks the API over its link; the API dials through the real Telnyx SDK
// (to the stand-in, which answers at once) and runs the case's outbound call flow.

const contactPhone = '+15557654321';

describe('a fix waiting for approval rings a contact who chose phone calls', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // The API reads its phone settings on first use: none yet (the first test).
    for (const name of ['TELNYX_API_KEY', 'TELNYX_PUBLIC_KEY', 'TELNYX_BASE_URL']) {
      delete process.env[name];
    }
    stack = await startTestStack('phone-notify', {
      caseSettings: { approvalTimeoutMs: 60_000, approvalGraceMs: 60_000 },
      notifications: { retrySeconds: 3 },
    });
    // The one-time codes go to the same mail sink as the notifier's email.
    process.env.SMTP_URL = stack.notifier!.smtp.url;
    await saveNotificationSettings(stack.demo.customer.id, {
      contacts: [
        {
          name: 'Front desk',
          phone: contactPhone,
          channels: ['phone'],
          events: ['approval_waiting'],
        },
      ],
    });
  });
  afterAll(async () => {
    const telnyx = stack.notifier!.telnyx;
    for (const placed of telnyx.calls.values()) telnyx.hangup(placed.id);
    await telnyx.idle();
    await stack.stop();
  });

  const telnyx = () => stack.notifier!.telnyx;
  const callsTo = (to: string) =>
    [...telnyx().calls.values()].filter((c) => c.direction === 'outgoing' && c.to === to);
  const phoneDelivery = (caseId: string) =>
    NotificationDoc.findOne({ caseId, channel: 'phone' }).lean();
  const notificationsInAudit = async (caseId: string) => {
    const audit = await call(
      `${stack.apiUrl}/api/cases/${caseId}/audit`,
      stack.demo.customer.token,
    );
    expect(audit.status).toBe(200);
    return audit.body.entries.filter((e: { kind?: string }) => e.kind === 'notification');
  };

  it('the call cannot be placed (no phone service): recorded as not delivered, and the case goes on', async () => {
    const device = connectDevice(stack, 'gateway-unreachable');
    try {
      const { caseId, handle } = await openDemoCase(stack);
      const waiting = await waitForStatus(handle, 'awaiting_approval');
      const failed = await eventually(
        async () => {
          const doc = await phoneDelivery(caseId);
          return doc?.status === 'failed' && doc;
        },
        { what: 'the phone delivery to be recorded failed' },
      );
      expect(failed.error).toBe('Phone calls are not set up');
      expect(callsTo(contactPhone)).toHaveLength(0);

      expect((await approve(stack, caseId, waiting.proposal!.actionId)).status).toBe(200);
      expect((await handle.result()).status).toBe('resolved');
      expect(await notificationsInAudit(caseId)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ channel: 'phone', outcome: 'failed', recipient: '+1******21' }),
        ]),
      );
    } finally {
      device.stop();
    }
  });

  it('rings the contact number, who approves with the emailed code and 1; the call is in the audit', async () => {
    const standIn = telnyx();
    process.env.TELNYX_API_KEY = standIn.apiKey;
    process.env.TELNYX_PUBLIC_KEY = standIn.publicKey;
    process.env.TELNYX_BASE_URL = standIn.url;
    process.env.TELNYX_MAX_RETRIES = '0';
    standIn.webhookUrl = `${stack.apiUrl}/api/voice/telnyx/webhook`;
    const device = connectDevice(stack, 'gateway-unreachable');
    try {
      const { caseId, handle } = await openDemoCase(stack);
      await waitForStatus(handle, 'awaiting_approval');
      const rung = await eventually(async () => callsTo(contactPhone)[0], {
        what: 'a call to the contact',
      });
      // The contact's number, not the account's primary phone.
      expect(stack.demo.customer.phone).not.toBe(contactPhone);
      await waitToHear(standIn, rung.id, 'Your Zen box has noticed a problem');
      await waitToHear(standIn, rung.id, 'six digit code');
      standIn.press(
        rung.id,
        await readLatestCode(stack.notifier!.smtp.outbox, stack.demo.customer.email),
      );
      await waitToHear(standIn, rung.id, 'Press 1 to approve');
      standIn.press(rung.id, '1');

      const final = await handle.result();
      expect(final.status).toBe('resolved');
      expect(final.decisions).toEqual([expect.objectContaining({ channel: 'phone' })]);
      await waitForCallState(standIn, rung.id, 'ended');

      const sent = await phoneDelivery(caseId);
      expect(sent).toMatchObject({ status: 'sent', providerId: rung.id });
      // Rung once.
      expect(callsTo(contactPhone)).toHaveLength(1);
      const told = await notificationsInAudit(caseId);
      expect(told).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ channel: 'phone', outcome: 'sent', recipient: '+1******21' }),
        ]),
      );
      expect(JSON.stringify(told)).not.toContain(contactPhone);
    } finally {
      device.stop();
    }
  });

  it("the call request is checked: a bad number or a case not the customer's is refused, and nothing rings", async () => {
    const link = createApiLink(stack.apiUrl, stack.internalToken);
    try {
      const before = telnyx().calls.size;
      const bad = await link.placeCall({
        customerId: stack.demo.customer.id,
        caseId: 'any',
        to: '555-1234',
      } as PlaceCall);
      expect(bad).toEqual({ refused: expect.stringContaining('Not a call request'), final: true });
      const notTheirs = await link.placeCall({
        customerId: stack.demo.customer.id,
        caseId: 'no-such-case',
        to: contactPhone,
      });
      expect(notTheirs).toEqual({
        refused: "The call was not placed: the case is not this customer's",
        final: true,
      });
      expect(telnyx().calls.size).toBe(before);
    } finally {
      link.close();
    }
  });
});
