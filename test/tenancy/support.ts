import { outboxMessages } from '../support/mail';
import { eventually } from '../support/stack';

// The mails a test's people receive, read from the mail stand-in's outbox.

export function mailsTo(outbox: string, to: string): string[] {
  return outboxMessages(outbox)
    .filter((m) => m.includes(`To: ${to}`))
    .map(readable);
}

/** The message with quoted-printable undone, so its words can be matched. */
function readable(raw: string): string {
  if (!/Content-Transfer-Encoding: quoted-printable/i.test(raw)) return raw;
  return raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Waits for the next message to `to` after `seen` of them. */
export function nextMailTo(outbox: string, to: string, seen: number): Promise<string> {
  return eventually(async () => mailsTo(outbox, to)[seen], { what: `an email to ${to}` });
}
