import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { TelnyxStandIn } from '../stand-ins/telnyx';

// The stand-ins run inside `npm start`'s own process; this writes what they carry
// (calls, the product's commands to them, webhooks, emails) to their log file,
// one JSON line each, as the other servers' logs are.

export interface StandInLogOptions {
  file: string;
  phone?: TelnyxStandIn;
  /** The SMTP sink's outbox, when the sink runs. */
  outbox?: string;
  everyMs?: number;
}

export function logStandIns({ file, phone, outbox, everyMs = 500 }: StandInLogOptions) {
  mkdirSync(path.dirname(file), { recursive: true });
  const write = (service: string, msg: string, fields: Record<string, unknown> = {}) =>
    appendFileSync(
      file,
      JSON.stringify({ level: 30, time: new Date().toISOString(), service, msg, ...fields }) + '\n',
    );
  const seenMail = new Set(outbox && existsSync(outbox) ? readdirSync(outbox) : []);
  const seenCalls = new Map<string, { state: string; commands: number }>();
  let deliveries = 0;

  const poll = () => {
    for (const name of outbox && existsSync(outbox) ? readdirSync(outbox) : []) {
      if (seenMail.has(name) || !name.endsWith('.eml')) continue;
      const head = readFileSync(path.join(outbox!, name), 'utf8').slice(0, 4000);
      seenMail.add(name);
      const to = head.match(/^To: (.*)$/m)?.[1];
      const subject = head.match(/^Subject: (.*)$/m)?.[1]?.replace(/\d{6}/g, '[code]');
      write('smtp', 'email received', { file: name, to, subject });
    }
    if (!phone) return;
    for (const call of phone.calls.values()) {
      const seen = seenCalls.get(call.id) ?? { state: '', commands: 0 };
      if (seen.state !== call.state) {
        write('telnyx', `call ${call.state}`, { callId: call.id, from: call.from, to: call.to });
      }
      for (const command of call.commands.slice(seen.commands)) {
        write('telnyx', 'command', { callId: call.id, command });
      }
      seenCalls.set(call.id, { state: call.state, commands: call.commands.length });
    }
    // A delivery is logged once the product has answered it.
    while (phone.deliveries[deliveries]?.status !== undefined) {
      const d = phone.deliveries[deliveries++]!;
      write('telnyx', 'webhook delivered', {
        eventType: d.eventType,
        callId: d.callControlId,
        status: d.status,
      });
    }
  };
  write('stand-ins', 'started', { phone: phone?.url, outbox });
  const timer = setInterval(() => {
    try {
      poll();
    } catch {
      // A file read while it is written: the next poll takes it.
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      poll();
      write('stand-ins', 'stopped');
    },
  };
}
