import type { BindingInterface } from '@serialport/bindings-interface';
import { MockBinding, type MockPortBinding } from '@serialport/binding-mock';

// A device on a mock serial port that answers each line the agent writes, the
// way a script says: an LED controller, an LTE modem. Built on
// @serialport/binding-mock, so the agent's real serialport stream is in use.

export interface SerialDevice {
  binding: BindingInterface;
  path: string;
  /** Every line the agent wrote, in order. */
  received: string[];
  /** The bytes exactly as written. */
  recording(): Buffer;
}

let ports = 0;

/**
 * `answer` gets each line the agent wrote (without its line end) and returns
 * the bytes to send back, or undefined to stay silent.
 */
export function serialDevice(answer: (line: string) => string | undefined): SerialDevice {
  const path = `/dev/ttyMOCK${++ports}`;
  MockBinding.createPort(path, { record: true });
  const received: string[] = [];
  let opened: MockPortBinding | undefined;
  let pending = '';
  const binding: BindingInterface = {
    ...MockBinding,
    async open(options) {
      const port = await MockBinding.open(options);
      opened = port;
      const write = port.write.bind(port);
      port.write = async (buffer: Buffer) => {
        await write(buffer);
        pending += buffer.toString('latin1');
        const lines = pending.split(/\r\n|\r|\n/);
        pending = lines.pop() ?? '';
        for (const line of lines) {
          received.push(line);
          const reply = answer(line);
          // Answered a moment later, as a device on a wire would.
          if (reply !== undefined) setImmediate(() => port.isOpen && port.emitData(reply));
        }
      };
      return port;
    },
  };
  return { binding, path, received, recording: () => opened?.recording ?? Buffer.alloc(0) };
}

/**
 * A modem that answers AT commands like a real one: `script` maps a command to
 * its answer: a final result code alone (`'ERROR'`, `'+CME ERROR: 30'`), or
 * information lines, which get OK after them;
 * undefined keeps it silent, as a hung modem is. With echo on (ATE1, the
 * default of most modems) the command comes back first.
 */
export function scriptedModem(
  script: Record<string, string[] | string | undefined>,
  { echo = true } = {},
): SerialDevice {
  return serialDevice((line) => {
    const command = line.trim();
    if (!command) return undefined;
    const reply = command in script ? script[command] : 'ERROR';
    if (reply === undefined) return undefined;
    const body =
      typeof reply === 'string'
        ? `\r\n${reply}\r\n`
        : reply.map((l) => `\r\n${l}\r\n`).join('') + '\r\nOK\r\n';
    return (echo ? `${command}\r` : '') + body;
  });
}
