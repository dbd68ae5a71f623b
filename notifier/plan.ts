import { createHash } from 'node:crypto';
import {
  CustomerEventType,
  urgentEvents,
  type DeliveryChannel,
  type NotificationEvent,
  type NotificationEventType,
  type NotificationSettings,
  type OperatorChannel,
  type QuietHours,
} from '../contracts/notifications';

// Who hears of an event, on which channel, and when. Pure: the activity feeds it the
// customer's settings, the operators' routing and the PagerDuty incidents still open.

export type PagerDutyAction = 'trigger' | 'acknowledge' | 'resolve';

export interface Delivery {
  /** Once per delivery: the event's key, the channel and the recipient (as a digest: keys show). */
  key: string;
  channel: DeliveryChannel;
  audience: 'customer' | 'operators';
  /** An address or a number; for Slack the webhook, for PagerDuty the incident's dedup key. */
  to: string;
  pagerDuty?: { action: PagerDutyAction; dedupKey: string };
}

export interface Plan {
  /** Sent now. */
  now: Delivery[];
  /** Sent when the customer's quiet hours end (epoch ms), if any fall in them. */
  later?: { until: number; deliveries: Delivery[] };
}

export interface OperatorSetup {
  routing: Record<NotificationEventType, OperatorChannel[]>;
  email?: string;
  /** The channels that have a service behind them (configured, or a stand-in). */
  available: ReadonlySet<DeliveryChannel>;
}

/** Only these are worth ringing a customer's phone for: someone must decide now. */
export const phoneEvents: readonly NotificationEventType[] = ['approval_waiting'];

/** A device's trouble is over: its open incidents are resolved. */
const recoveryEvents: readonly NotificationEventType[] = [
  'case_resolved',
  'box_online',
  'internet_recovered',
];

/** A case's one incident: opened when it is handed over, acknowledged, then resolved. */
const caseIncident = (caseId: string) => `zen-case-${caseId}`;

/** A missed service level has its own incident, per case and kind of deadline. */
const slaIncidentPrefix = 'zen-sla-';

/**
 * The incident a trouble event opens (one per case, one per case and missed deadline, or
 * per device and kind of trouble).
 */
export function incidentKey(event: NotificationEvent): string | undefined {
  if (event.type === 'case_escalated' && event.caseId) return caseIncident(event.caseId);
  if (event.type === 'sla_breached' && event.caseId && event.facts.slaKind) {
    return `${slaIncidentPrefix}${event.facts.slaKind}-${event.caseId}`;
  }
  if ((event.type === 'box_offline' || event.type === 'internet_down') && event.deviceId) {
    return `zen-${event.type}-${event.deviceId}`;
  }
  return undefined;
}

/** The case's own incidents (its hand-over, its missed deadlines) among those open. */
function incidentsOfCase(caseId: string | undefined, open: readonly string[]): string[] {
  if (!caseId) return [];
  return open.filter(
    (key) =>
      key === caseIncident(caseId) ||
      (key.startsWith(slaIncidentPrefix) && key.endsWith(`-${caseId}`)),
  );
}

/** PagerDuty hears of this kind of event: only then are the box's open incidents needed. */
export function pagesOperators(type: NotificationEventType, operators: OperatorSetup): boolean {
  return operators.available.has('pagerduty') && !!operators.routing[type]?.includes('pagerduty');
}

export function planDeliveries(
  event: NotificationEvent,
  settings: NotificationSettings | undefined,
  operators: OperatorSetup,
  /** Dedup keys of the device's PagerDuty incidents still open. */
  openIncidents: readonly string[],
  now: Date,
): Plan {
  const delivery = (
    channel: DeliveryChannel,
    audience: Delivery['audience'],
    to: string,
    pagerDuty?: Delivery['pagerDuty'],
  ): Delivery => ({
    key: `${event.key}|${channel}|${pagerDuty ? `${pagerDuty.action}:${to}` : digest(to)}`,
    channel,
    audience,
    to,
    ...(pagerDuty && { pagerDuty }),
  });

  const customer: Delivery[] = [];
  // Operators' own events (contracts/notifications.ts CustomerEventType) reach no customer.
  const customersHear = CustomerEventType.safeParse(event.type);
  if (settings && customersHear.success) {
    for (const contact of settings.contacts) {
      if (!contact.events.includes(customersHear.data)) continue;
      for (const channel of contact.channels) {
        if (!operators.available.has(channel)) continue;
        const to = channel === 'email' ? contact.email : contact.phone;
        if (!to) continue;
        if (channel === 'phone' && !phoneEvents.includes(event.type)) continue;
        customer.push(delivery(channel, 'customer', to));
      }
    }
  }

  const staff: Delivery[] = [];
  for (const channel of operators.routing[event.type] ?? []) {
    if (!operators.available.has(channel)) continue;
    if (channel === 'email' && operators.email)
      staff.push(delivery('email', 'operators', operators.email));
    if (channel === 'slack') staff.push(delivery('slack', 'operators', 'slack'));
    if (channel === 'pagerduty') {
      for (const pd of pagerDutyActions(event, openIncidents)) {
        staff.push(delivery('pagerduty', 'operators', pd.dedupKey, pd));
      }
    }
  }

  const unique = (list: Delivery[]) => [...new Map(list.map((d) => [d.key, d])).values()];
  const quietEnd =
    settings?.quietHours && !(customersHear.success && urgentEvents.includes(customersHear.data))
      ? quietHoursEnd(settings.quietHours, now)
      : undefined;
  if (quietEnd === undefined || customer.length === 0) {
    return { now: unique([...customer, ...staff]) };
  }
  // Quiet hours are the customer's: operators hear at once.
  return { now: unique(staff), later: { until: quietEnd, deliveries: unique(customer) } };
}

function pagerDutyActions(
  event: NotificationEvent,
  openIncidents: readonly string[],
): { action: PagerDutyAction; dedupKey: string }[] {
  const opened = incidentKey(event);
  if (opened) return [{ action: 'trigger', dedupKey: opened }];
  if (event.type === 'case_taken_over') {
    const ofCase = event.caseId ? caseIncident(event.caseId) : undefined;
    return openIncidents
      .filter((key) => key === ofCase)
      .map((dedupKey) => ({ action: 'acknowledge', dedupKey }));
  }
  // Closed as not fixable from here: the case is over, but not the device's trouble.
  if (event.type === 'case_not_fixable_remotely') {
    return incidentsOfCase(event.caseId, openIncidents).map((dedupKey) => ({
      action: 'resolve',
      dedupKey,
    }));
  }
  if (recoveryEvents.includes(event.type)) {
    return openIncidents.map((dedupKey) => ({ action: 'resolve', dedupKey }));
  }
  return [];
}

function digest(to: string): string {
  return createHash('sha256').update(to.toLowerCase()).digest('hex').slice(0, 16);
}

const minuteMs = 60_000;

/**
 * When the quiet hours that hold `now` end (epoch ms), or undefined outside them. The window
 * may cross midnight (22:00–07:00); times are the customer's own zone's. Across a change of
 * clocks the end may be an hour off, which a deferral can bear.
 */
export function quietHoursEnd(quiet: QuietHours, now: Date): number | undefined {
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return undefined;
  const local = localTime(now, quiet.timeZone);
  // A zone the runtime does not know must not swallow the message: no quiet hours then.
  if (!local) return undefined;
  const { minutes, intoMinuteMs } = local;
  const inside =
    start < end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
  if (!inside) return undefined;
  const untilEnd = (end - minutes + 1440) % 1440;
  return now.getTime() + untilEnd * minuteMs - intoMinuteMs;
}

function minutesOf(clock: string): number {
  const [h, m] = clock.split(':').map(Number);
  return h! * 60 + m!;
}

function localTime(
  now: Date,
  timeZone: string,
): { minutes: number; intoMinuteMs: number } | undefined {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(now);
  } catch {
    return undefined;
  }
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return {
    minutes: part('hour') * 60 + part('minute'),
    intoMinuteMs: now.getTime() % minuteMs,
  };
}
