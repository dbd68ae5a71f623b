import { outboxMessages } from '../support/mail';
import type { NotifierStandIns } from '../support/stack';

// Reading what the notifier's stand-ins received.

/** Each email in the outbox, its quoted-printable body decoded. */
export function emails(notifier: NotifierStandIns): string[] {
  return outboxMessages(notifier.smtp.outbox).map((m) =>
    m
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
  );
}

export function emailsTo(notifier: NotifierStandIns, to: string, containing: string): string[] {
  return emails(notifier).filter((m) => m.includes(`To: ${to}`) && m.includes(containing));
}

export function smsTo(notifier: NotifierStandIns, to: string, containing: string) {
  return notifier.telnyx.messages.filter((m) => m.to === to && m.text.includes(containing));
}
