import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';

// The local stand-in for email: a real SMTP server on loopback that writes every
// message it receives to the outbox folder as an .eml file. Told to refuse, it answers every
// recipient with a permanent 550, as a server that will not take our mail does.

export interface SmtpSink {
  url: string;
  port: number;
  outbox: string;
  /**
   * From now on, refuses (true) or takes (false) every message; `afterMs` answers the refusal
   * that late, as a server that is slow to say no.
   */
  refuse(refusing: boolean, options?: { afterMs?: number }): void;
  /** How many recipients were refused so far. */
  refusals(): number;
  stop(): Promise<void>;
}

export async function startSmtpSink({
  outbox,
  port = 0,
  onMessage,
}: {
  outbox: string;
  port?: number;
  /** Told of each message once it is in the outbox, e.g. for a log. */
  onMessage?: (file: string, message: Buffer) => void;
}): Promise<SmtpSink> {
  mkdirSync(outbox, { recursive: true });
  let count = 0;
  let refusing = false;
  let refuseAfterMs = 0;
  let refused = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    banner: 'Zen & Zen local SMTP sink',
    onRcptTo(address, _session, callback) {
      if (!refusing) return callback();
      const err = Object.assign(new Error(`Mailbox unavailable: ${address.address}`), {
        responseCode: 550,
      });
      setTimeout(() => {
        refused += 1;
        callback(err);
      }, refuseAfterMs);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        // Sortable names: the newest message is the last one listed.
        const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${String(++count).padStart(4, '0')}-${session.id}.eml`;
        const message = Buffer.concat(chunks);
        writeFileSync(path.join(outbox, name), message, { mode: 0o600 });
        onMessage?.(name, message);
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${actual}`,
    port: actual,
    outbox,
    refuse: (value, { afterMs = 0 } = {}) => {
      refusing = value;
      refuseAfterMs = afterMs;
    },
    refusals: () => refused,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
