import { activityInfo, log } from '@temporalio/activity';
import type { Config } from '../config';
import { DeliveryChannel, NotificationEvent } from '../contracts/notifications';
import { notificationsSettled } from '../observability/metrics';
import { deliverOnce, type Settled } from '../notifier/deliver';
import { sendEmail } from '../notifier/email';
import { sendPagerDuty } from '../notifier/pagerDuty';
import { placePhoneCall } from '../notifier/phone';
import { pagesOperators, planDeliveries, type Delivery } from '../notifier/plan';
import {
  NotificationDoc,
  noteIncident,
  openIncidents,
  recordDeliveryFailed,
} from '../notifier/records';
import { sendSlack } from '../notifier/slack';
import { sendSms } from '../notifier/sms';
import { failureWords, maskRecipient, wordsFor, type Words } from '../notifier/words';
import { loadNotificationSettings } from '../store/notificationSettings';
import { Customer, Device, Site } from '../store/models';
import { ratingLink } from '../api/satisfaction/links';
import type { ApiLink } from './apiLink';
import { customerSubject } from '../privacy/keys';
import { seal, unsealDeep } from '../privacy/seal';

// The notifyPeople workflow's activities: plan who hears of an event, then one delivery each.

export type NotifierConfig = Config['notifier'];

/** One delivery as the workflow carries it: no address (that stays in its document). */
export interface DeliveryJob {
  key: string;
  channel: DeliveryChannel;
  recipient: string;
  pagerDuty?: Delivery['pagerDuty'];
  words: Words;
  eventType: NotificationEvent['type'];
  deviceId?: string;
  caseId?: string;
  /** Whose case a phone call is about. */
  customerId?: string;
}

export interface PlannedNotifications {
  now: DeliveryJob[];
  later?: { until: number; jobs: DeliveryJob[] };
  retry: { forMs: number; firstMs: number };
}

/** Phone calls are placed by the API, so the phone channel needs the worker's link to it. */
export function createNotificationActivities(
  config: NotifierConfig,
  api?: Pick<ApiLink, 'placeCall'>,
) {
  const everyChannel = DeliveryChannel.options;
  const available = new Set<DeliveryChannel>([
    ...(config.email ? (['email'] as const) : []),
    ...(config.sms ? (['sms'] as const) : []),
    ...(config.slackWebhookUrl ? (['slack'] as const) : []),
    ...(config.pagerDuty ? (['pagerduty'] as const) : []),
    ...(api ? (['phone'] as const) : []),
  ]);

  async function planNotifications(input: NotificationEvent): Promise<PlannedNotifications> {
    // A technician's message comes sealed (privacy/): the words are made from it open.
    const event = NotificationEvent.parse(await unsealDeep(input));
    // Only what the plan needs is read: the open incidents only when PagerDuty hears of this
    // event, and the words' context only when someone is told (most events of a quiet
    // customer's cases tell nobody, and a store without indexes scans for the box).
    const operators = { routing: config.operatorRouting, email: config.operatorEmail, available };
    const [settings, incidents] = await Promise.all([
      loadNotificationSettings(event.customerId),
      pagesOperators(event.type, operators) ? openIncidents(event.deviceId) : [],
    ]);
    const plan = planDeliveries(event, settings, operators, incidents, new Date());
    if (plan.now.length === 0 && !plan.later) return { now: [], retry: config.retry };
    const context = await contextOf(event);
    const words = wordsFor(event, context);
    // Only the customer is asked to rate the case: operators' copies carry no rating links.
    const customerWords = wordsFor(event, { ...context, ratingLinks: ratingLinksOf(event) });
    const job = (d: Delivery): Promise<DeliveryJob> =>
      sealedJob(event.customerId, {
        key: d.key,
        channel: d.channel,
        recipient: shownAs(d),
        ...(d.pagerDuty && { pagerDuty: d.pagerDuty }),
        words: d.audience === 'customer' ? customerWords : words,
        eventType: event.type,
        deviceId: event.deviceId,
        caseId: event.caseId,
        ...(d.channel === 'phone' && { customerId: event.customerId }),
      });
    const write = (d: Delivery, status: 'open' | 'deferred', until?: number) => ({
      _id: d.key,
      eventKey: event.key,
      eventType: event.type,
      customerId: event.customerId,
      deviceId: event.deviceId,
      caseId: event.caseId,
      channel: d.channel,
      audience: d.audience,
      recipient: shownAs(d),
      address: d.to,
      status,
      ...(until !== undefined && { deferredUntil: new Date(until) }),
    });
    const docs = [
      ...plan.now.map((d) => write(d, 'open')),
      ...(plan.later?.deliveries.map((d) => write(d, 'deferred', plan.later!.until)) ?? []),
    ];
    // A retried plan finds its documents written already; those keep their state.
    await Promise.all(
      docs.map((doc) =>
        NotificationDoc.updateOne({ _id: doc._id }, { $setOnInsert: doc }, { upsert: true }),
      ),
    );
    if (available.size < everyChannel.length) {
      log.debug('notifier channels without a service', {
        missing: everyChannel.filter((c) => !available.has(c)),
      });
    }
    return {
      now: await Promise.all(plan.now.map(job)),
      ...(plan.later && {
        later: {
          until: plan.later.until,
          jobs: await Promise.all(plan.later.deliveries.map(job)),
        },
      }),
      retry: config.retry,
    };
  }

  async function deliverNotification(sealed: DeliveryJob): Promise<Settled> {
    const job = await unsealDeep(sealed);
    const info = activityInfo();
    const settled = await deliverOnce(
      {
        key: job.key,
        attemptId: `${info.workflowExecution?.runId}:${info.activityId}:${info.attempt}`,
        providerDedups: job.channel === 'pagerduty',
      },
      (address) => send(job, address),
    );
    if (settled === 'sent' && job.pagerDuty) {
      await noteIncident(job.pagerDuty.dedupKey, job.pagerDuty.action, job.deviceId, job.caseId);
    }
    notificationsSettled.inc({ channel: job.channel, outcome: settled });
    return settled;
  }

  function send(job: DeliveryJob, address: string): Promise<{ providerId?: string }> {
    switch (job.channel) {
      case 'email':
        return sendEmail(config.email!, address, job.words);
      case 'sms':
        return sendSms(config.sms!, address, job.words.short);
      case 'slack':
        return sendSlack(config.slackWebhookUrl!, `*${job.words.subject}*\n${job.words.text}`);
      case 'pagerduty':
        return sendPagerDuty(config.pagerDuty!, job.pagerDuty!.action, address, job.words.short);
      case 'phone':
        return placePhoneCall(api!, {
          customerId: job.customerId!,
          caseId: job.caseId,
          to: address,
        });
    }
  }

  /**
   * A delivery that kept failing (recorded failed, counted) or whose fate is unknown: logged,
   * and, when Slack is set up and was not the failing channel, a report for operators to
   * deliver.
   */
  async function reportUndelivered({
    job: sealed,
    outcome,
    error,
  }: {
    job: DeliveryJob;
    outcome: 'failed' | 'unconfirmed';
    error: string;
  }): Promise<DeliveryJob | undefined> {
    const job = await unsealDeep(sealed);
    if (outcome === 'failed') {
      error = await recordDeliveryFailed(job.key, error);
      notificationsSettled.inc({ channel: job.channel, outcome: 'failed' });
    }
    log.error(`notification ${outcome}`, { channel: job.channel, recipient: job.recipient, error });
    if (!config.slackWebhookUrl || job.channel === 'slack') return undefined;
    const text = failureWords(outcome, job.channel, job.recipient, job.words.subject, error);
    const report: DeliveryJob = {
      key: `${job.key}|failure-report`,
      channel: 'slack',
      recipient: 'operators (Slack)',
      words: { subject: 'A notification was not delivered', text, short: text },
      eventType: job.eventType,
      deviceId: job.deviceId,
      caseId: job.caseId,
    };
    await NotificationDoc.updateOne(
      { _id: report.key },
      {
        $setOnInsert: {
          eventKey: job.key,
          eventType: job.eventType,
          customerId: 'operators',
          caseId: job.caseId,
          channel: 'slack',
          audience: 'operators',
          recipient: report.recipient,
          address: config.slackWebhookUrl,
          status: 'open',
        },
      },
      { upsert: true },
    );
    return report;
  }

  async function contextOf(event: NotificationEvent) {
    const [customer, device] = await Promise.all([
      Customer.findById(event.customerId, { businessName: 1 }).lean(),
      event.deviceId ? Device.findOne({ deviceId: event.deviceId }, { siteId: 1 }).lean() : null,
    ]);
    const site = device ? await Site.findById(device.siteId, { name: 1 }).lean() : null;
    return {
      businessName: customer?.businessName,
      place: site?.name,
      caseUrl: event.caseId ? `${config.portalUrl}/cases/${event.caseId}` : undefined,
      supportNumber: config.supportNumber,
    };
  }

  function ratingLinksOf(event: NotificationEvent): string[] | undefined {
    const caseId = event.caseId;
    if (!event.facts.askRating || !caseId) return undefined;
    return [1, 2, 3, 4, 5].map((score) => ratingLink(caseId, score, config.portalUrl));
  }

  return { planNotifications, deliverNotification, reportUndelivered };
}

/**
 * What the workflow's history keeps of a delivery to a customer's people: who and what
 * sealed under the business's key (the words may quote a technician's message), opened by
 * the sending activity. Operators' channels name nobody and stay as they are.
 */
async function sealedJob(customerId: string, job: DeliveryJob): Promise<DeliveryJob> {
  if (job.channel === 'slack' || job.channel === 'pagerduty' || customerId === 'operators') {
    return job;
  }
  const subject = customerSubject(customerId);
  return {
    ...job,
    recipient: await seal(subject, job.recipient),
    words: {
      ...job.words,
      text: await seal(subject, job.words.text),
      short: await seal(subject, job.words.short),
      ...(job.words.html && { html: await seal(subject, job.words.html) }),
    },
  };
}

function shownAs(d: Delivery): string {
  if (d.channel === 'slack') return 'operators (Slack)';
  if (d.channel === 'pagerduty') return `operators (PagerDuty, ${d.pagerDuty?.action})`;
  return maskRecipient(d.to);
}
