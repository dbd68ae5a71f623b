import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

// The stand-ins run inside `npm start`'s own process; this writes what they tell it
// (calls, SMS, the product's commands to them, webhooks, emails, Slack and PagerDuty) to their log file, one
// JSON line each, as the other servers' logs are.

export function standInLog(file: string) {
  mkdirSync(path.dirname(file), { recursive: true });
  const write = (service: string, msg: string, fields: Record<string, unknown> = {}) =>
    appendFileSync(
      file,
      JSON.stringify({ level: 30, time: new Date().toISOString(), service, msg, ...fields }) + '\n',
    );
  write('stand-ins', 'started');
  return {
    /** The Telnyx stand-in's `onEvent`. */
    phone: (msg: string, fields: Record<string, unknown>) => write('telnyx', msg, fields),
    /** The SMTP sink's `onMessage`: who it is for and its subject, never a code. */
    mail: (file: string, message: Buffer) => {
      const head = message.subarray(0, 4000).toString('utf8');
      const to = head.match(/^To: (.*)$/m)?.[1];
      const subject = head.match(/^Subject: (.*)$/m)?.[1]?.replace(/\d{6}/g, '[code]');
      write('smtp', 'email received', { file, to, subject });
    },
    /** The Slack stand-in's `onMessage`. */
    slack: (message: { text: string }) =>
      write('slack', 'message received', { text: message.text }),
    /** The PagerDuty stand-in's `onEvent`. */
    pagerDuty: (event: { action: string; dedupKey: string; summary?: string }) =>
      write('pagerduty', `event ${event.action}`, {
        dedupKey: event.dedupKey,
        summary: event.summary,
      }),
    stop: () => write('stand-ins', 'stopped'),
  };
}
