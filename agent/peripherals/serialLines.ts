import type { BindingInterface } from '@serialport/bindings-interface';
import { SerialPortStream } from '@serialport/stream';
import { SerialPort } from 'serialport';

// Line-oriented request/answer over a serial port, shared by the LED controller
// and the LTE modem. Whatever arrives is untrusted: lines are bounded, and a
// device that never answers costs one timeout, never a hung agent.

export interface SerialOptions {
  path: string;
  baudRate?: number;
  /** How the port is reached; tests pass @serialport/binding-mock. Default: the real one. */
  binding?: BindingInterface;
}

export class SerialTimeoutError extends Error {}

export interface SerialLines {
  /**
   * Writes `command` and collects the lines that follow until `isFinal` accepts
   * one (it is included), or fails after `timeoutMs`.
   */
  exchange(
    command: string,
    isFinal: (line: string) => boolean,
    timeoutMs: number,
  ): Promise<string[]>;
  close(): Promise<void>;
}

const maxLineLength = 512;
const maxLinesPerAnswer = 64;

export async function openSerialLines(options: SerialOptions): Promise<SerialLines> {
  const port = new SerialPortStream({
    binding: options.binding ?? SerialPort.binding,
    path: options.path,
    baudRate: options.baudRate ?? 115_200,
    autoOpen: false,
  });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  let waiting: { accept: (line: string) => void; fail: (err: Error) => void } | undefined;
  // A port error must not crash the agent: it fails the exchange in flight.
  let portError: Error | undefined;
  port.on('error', (err: Error) => {
    portError = err;
    waiting?.fail(err);
  });

  let buffer = '';
  port.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('latin1');
    const parts = buffer.split(/\r\n|\r|\n/);
    buffer = parts.pop() ?? '';
    // A flood without line ends is cut, so memory stays bounded.
    if (buffer.length > maxLineLength) {
      parts.push(buffer.slice(0, maxLineLength));
      buffer = '';
    }
    for (const part of parts) {
      const line = part.slice(0, maxLineLength).trim();
      if (line) waiting?.accept(line);
    }
  });

  // One exchange at a time: answers on a serial line carry no request id.
  let queue: Promise<unknown> = Promise.resolve();
  const exchange: SerialLines['exchange'] = (command, isFinal, timeoutMs) => {
    const run = () =>
      new Promise<string[]>((resolve, reject) => {
        if (portError) return reject(portError);
        const lines: string[] = [];
        const done = (err?: Error) => {
          clearTimeout(timer);
          waiting = undefined;
          if (err) reject(err);
          else resolve(lines);
        };
        const timer = setTimeout(
          () =>
            done(
              new SerialTimeoutError(
                `no answer to ${JSON.stringify(command.trim())} on ${options.path} within ${timeoutMs} ms`,
              ),
            ),
          timeoutMs,
        );
        waiting = {
          accept: (line) => {
            lines.push(line);
            if (isFinal(line)) done();
            else if (lines.length >= maxLinesPerAnswer) {
              done(
                new Error(`more than ${maxLinesPerAnswer} lines in answer to ${command.trim()}`),
              );
            }
          },
          fail: done,
        };
        port.write(command, (err) => err && done(err));
      });
    const result = queue.then(run, run);
    queue = result.catch(() => undefined);
    return result;
  };

  return {
    exchange,
    close: () =>
      new Promise<void>((resolve) => {
        waiting?.fail(new Error('serial port closed'));
        if (!port.isOpen) return resolve();
        port.close(() => resolve());
      }),
  };
}
