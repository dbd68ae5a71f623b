import { z } from 'zod';
import { ProbeTarget } from './monitor';

// The notifier's vocabulary (notifier/): what happened, who hears about it, and how.

export const NotificationEventType = z.enum([
  'approval_waiting',
  'approval_reminder',
  'case_resolved',
  /** Handed to the technicians (PagerDuty trigger). */
  'case_escalated',
  /** An operator took over an escalated case: operators only (PagerDuty acknowledge). */
  'case_taken_over',
  /** A technician closed the case: it cannot be fixed from here (a visit, the ISP, …). */
  'case_not_fixable_remotely',
  /** A technician wrote to the customer on the case. */
  'technician_message',
  /** A case passed its first-response or resolution deadline: operators only. */
  'sla_breached',
  'box_offline',
  'box_online',
  'internet_down',
  'internet_recovered',
]);
export type NotificationEventType = z.infer<typeof NotificationEventType>;

/** The events a customer's contacts may choose: all but the operators' own. */
export const CustomerEventType = NotificationEventType.exclude(['case_taken_over', 'sla_breached']);
export type CustomerEventType = z.infer<typeof CustomerEventType>;

/** Events that go through quiet hours: a case is waiting on a person now. */
export const urgentEvents: readonly CustomerEventType[] = [
  'approval_waiting',
  'approval_reminder',
  'case_escalated',
];

/**
 * One thing that happened. `key` makes it once: the same key is notified at most once,
 * however often it is raised (activity retries, two API instances, a sweep run twice).
 */
export const NotificationEvent = z.object({
  type: NotificationEventType,
  key: z.string().min(1).max(300),
  at: z.iso.datetime(),
  customerId: z.string().min(1).max(100),
  deviceId: z.string().min(1).max(100).optional(),
  caseId: z.string().min(1).max(100).optional(),
  /** What the message says: typed facts only, put into words by the notifier. */
  facts: z
    .object({
      fixTitle: z.string().max(200).optional(),
      downtime: z.string().max(200).optional(),
      risk: z.string().max(200).optional(),
      diagnosis: z.string().max(1000).optional(),
      whatWasDone: z.string().max(1000).optional(),
      durationMinutes: z.number().nonnegative().optional(),
      /** A resolved case: false when the checks found nothing to fix (nothing was "fixed"). */
      fixed: z.boolean().optional(),
      minutesOffline: z.number().nonnegative().optional(),
      failing: z.array(ProbeTarget).max(4).optional(),
      /** When the box saw the outage start (for recovered: how long it lasted). */
      since: z.iso.datetime().optional(),
      /** A technician's words to the customer, or their summary at the close. */
      message: z.string().max(4000).optional(),
      /** Why a case cannot be fixed from here (contracts/technician.ts UnfixableReason). */
      unfixableReason: z.string().max(100).optional(),
      /** Which deadline a case passed (contracts/technician.ts SlaKind). */
      slaKind: z.enum(['first_response', 'resolution']).optional(),
      /** Closed cases: the customer may rate the help (contracts/satisfaction.ts). */
      askRating: z.boolean().optional(),
    })
    .default({}),
});
export type NotificationEvent = z.infer<typeof NotificationEvent>;

export const CustomerChannel = z.enum(['email', 'sms', 'phone']);
export type CustomerChannel = z.infer<typeof CustomerChannel>;
export const OperatorChannel = z.enum(['email', 'slack', 'pagerduty']);
export type OperatorChannel = z.infer<typeof OperatorChannel>;
export const DeliveryChannel = z.enum(['email', 'sms', 'phone', 'slack', 'pagerduty']);
export type DeliveryChannel = z.infer<typeof DeliveryChannel>;

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM');

export const Contact = z.object({
  name: z.string().trim().min(1).max(100),
  email: z.email().max(254).optional(),
  /** E.164, e.g. +15551234567. */
  phone: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, 'a phone number in international form, e.g. +15551234567')
    .optional(),
  channels: z.array(CustomerChannel).max(3),
  events: z.array(CustomerEventType).max(CustomerEventType.options.length),
});
export type Contact = z.infer<typeof Contact>;

export const QuietHours = z.object({
  start: clock,
  end: clock,
  /** IANA zone, e.g. Europe/Berlin. */
  timeZone: z.string().min(1).max(64),
});
export type QuietHours = z.infer<typeof QuietHours>;

/** A customer's notification settings (GET/PUT /api/customers/me/notifications). */
export const NotificationSettings = z.object({
  contacts: z.array(Contact).max(10),
  quietHours: QuietHours.optional(),
});
export type NotificationSettings = z.infer<typeof NotificationSettings>;
