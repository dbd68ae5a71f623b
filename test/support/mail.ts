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

/** Waits for the next message to `to` after `seen` messages, and returns its code. */
export async function readLatestCode(outbox: string, to: string, seen = 0): Promise<string> {
  return eventually(
    async () => {
      const mine = outboxMessages(outbox).filter((m) => m.includes(`To: ${to}`));
      const latest = mine.length > seen ? mine.at(-1) : undefined;
      return latest?.match(/Subject: Your Zen & Zen code: (\d{6})/)?.[1];
    },
    { what: `an email with a code to ${to}` },
  );
}
