// Relative, not #shared: jest reads this file too. Types only: a value imported by a
// relative path does not survive the server build.
import type { ContactChannel, NotificationEvent } from '../../shared/types/api';

// The notification settings in a small office's words.

const EVENT_LABELS: Record<NotificationEvent, string> = {
  approval_waiting: 'A fix waits for approval',
  approval_reminder: 'A reminder that a fix still waits',
  case_resolved: 'A problem was fixed',
  case_escalated: 'A problem was passed to a technician',
  case_not_fixable_remotely: 'A problem needs more than a remote fix',
  technician_message: 'A technician wrote to you',
  box_offline: 'The Zen box went offline',
  box_online: 'The Zen box is back online',
  internet_down: 'The internet went down',
  internet_recovered: 'The internet is back',
};

export function eventLabel(event: NotificationEvent): string {
  return EVENT_LABELS[event] ?? 'Something else';
}

const CHANNEL_LABELS: Record<ContactChannel, string> = {
  email: 'Email',
  sms: 'Text message',
  phone: 'Phone call',
};

export function channelLabel(channel: ContactChannel): string {
  return CHANNEL_LABELS[channel] ?? 'Another way';
}

/** The sentence under quiet hours: what still comes through (the urgent events), by name. */
export function urgentSentence(urgent: readonly NotificationEvent[]): string {
  const names = urgent.map((e) => eventLabel(e).toLowerCase());
  const list = `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return `Urgent messages still come through during quiet hours, because someone is waiting on you: ${list}. Everything else waits until quiet hours end.`;
}
