import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startSmtpSink, type SmtpSink } from '../../stand-ins/smtpSink';
import { eventually } from './stack';

// Email in tests: the real SMTP sink, and the codes read back from its outbox.

/** Starts the sink and points this process's mailer at it (before the first mail). */
export async function startMailSink(dir: string): Promise<SmtpSink> {
  const sink = await startSmtpSink({ outbox: path.join(dir, 'outbox') });
  process.env.SMTP_URL = sink.url;
  return sink;
}

export function outboxMessages(outbox: string): string[] {
  return readdirSync(outbox)
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .map((f) => readFileSync(path.join(outbox, f), 'utf8'));
}

/**
 * Waits for a code e-mailed to `to` after its first `seen` messages, and returns the newest.
 * Other messages (a case's notifications) may come after it.
 */
export async function readLatestCode(outbox: string, to: string, seen = 0): Promise<string> {
  return eventually(
    async () =>
      outboxMessages(outbox)
        .filter((m) => m.includes(`To: ${to}`))
        .slice(seen)
        .map((m) => /Subject: Your Zen & Zen code: (\d{6})/.exec(m)?.[1])
        .filter((code) => code !== undefined)
        .at(-1),
    { what: `an email with a code to ${to}` },
  );
}
