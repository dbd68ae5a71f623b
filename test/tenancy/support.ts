import { outboxMessages, readLatestCode } from '../support/mail';
import { call, eventually } from '../support/stack';

// Signing in as a person does in the portal: ask for a code, read it from the mail
// stand-in's outbox, trade it for a bearer session.

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

export async function signIn(apiUrl: string, outbox: string, email: string): Promise<string> {
  const seen = mailsTo(outbox, email).length;
  const asked = await call(`${apiUrl}/api/auth/login`, undefined, { body: { email } });
  expect(asked.status).toBe(202);
  const code = await readLatestCode(outbox, email, seen);
  const verified = await call(`${apiUrl}/api/auth/login/verify`, undefined, {
    body: { email, code, session: 'bearer' },
  });
  expect(verified.status).toBe(200);
  return verified.body.token as string;
}
