import type { Socket } from 'socket.io-client';
import type { CommandResult } from '../contracts/device';

// Command results wait here until the server acknowledges them, one at a time
// and in order. A result that gets no ack (disconnect, timeout) stays first in
// line and is sent again: after the reconnect, or after another timeout while
// still connected. The server may therefore see a result twice; it keys on commandId.
// A result the server refuses ({ok: false}) is retried a few times, then dropped
// so that it cannot hold up the results behind it.

export interface Outbox {
  send(result: CommandResult): void;
  close(): void;
}

const maxRefusals = 3;

export function createOutbox(
  socket: Socket,
  { ackTimeoutMs, log }: { ackTimeoutMs: number; log: (line: string) => void },
): Outbox {
  const queue: CommandResult[] = [];
  let sending = false;
  let retry: NodeJS.Timeout | undefined;
  let refusals = 0;

  const later = () => {
    if (socket.connected) retry = setTimeout(() => void flush(), ackTimeoutMs);
  };

  const flush = async () => {
    if (sending) return;
    sending = true;
    clearTimeout(retry);
    try {
      while (socket.connected && queue.length > 0) {
        const head = queue[0]!;
        const reply: { ok?: unknown } | undefined = await socket
          .timeout(ackTimeoutMs)
          .emitWithAck('command:result', head)
          .catch(() => undefined);
        if (reply?.ok === true) {
          queue.shift();
          refusals = 0;
          continue;
        }
        if (reply === undefined) {
          log(`result of ${head.commandId} not acknowledged; it will be sent again`);
          return later();
        }
        // The server may refuse for a passing reason (its database is down) or for good.
        if (++refusals < maxRefusals) {
          log(`the server refused the result of ${head.commandId}; trying again`);
          return later();
        }
        log(`the server refused the result of ${head.commandId} ${maxRefusals} times; dropped`);
        queue.shift();
        refusals = 0;
      }
    } finally {
      sending = false;
    }
  };

  socket.on('connect', () => void flush());
  return {
    send(result) {
      queue.push(result);
      void flush();
    },
    close() {
      clearTimeout(retry);
    },
  };
}
