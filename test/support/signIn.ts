import { outboxMessages, readLatestCode } from './mail';
import { call } from './stack';

// Signing in as a person does in the portal: ask for a code, read it from the mail
// stand-in's outbox, trade it for a bearer session (a person signed in, not an API token).

export async function signIn(apiUrl: string, outbox: string, email: string): Promise<string> {
  const seen = outboxMessages(outbox).filter((m) => m.includes(`To: ${email}`)).length;
  const asked = await call(`${apiUrl}/api/auth/login`, undefined, { body: { email } });
  expect(asked.status).toBe(202);
  const code = await readLatestCode(outbox, email, seen);
  const verified = await call(`${apiUrl}/api/auth/login/verify`, undefined, {
    body: { email, code, session: 'bearer' },
  });
  expect(verified.status).toBe(200);
  return verified.body.token as string;
}
