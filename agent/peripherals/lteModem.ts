import type { z } from 'zod';
import type { checkData } from '../../contracts/diagnostics';
import { openSerialLines, type SerialLines, type SerialOptions } from './serialLines';

// The Pi's LTE modem over serial AT commands (3GPP TS 27.007): is it there,
// registered, how strong is the signal, which operator. Everything the modem
// says is untrusted: parsed strictly, the operator's name bounded and cleaned.

export type LteStatus = z.infer<(typeof checkData)['lte']>;

export interface LteOptions extends SerialOptions {
  /** How long each AT command may take. */
  commandTimeoutMs?: number;
}

export class LteModemError extends Error {}

const isFinal = (line: string) =>
  line === 'OK' || line === 'ERROR' || /^\+CM[ES] ERROR:/.test(line);

/** Sends one AT command; the answer's lines without the echo, or undefined when the modem said ERROR. */
async function at(
  lines: SerialLines,
  command: string,
  timeoutMs: number,
): Promise<string[] | undefined> {
  let answer: string[];
  try {
    answer = await lines.exchange(`${command}\r`, isFinal, timeoutMs);
  } catch (err) {
    throw new LteModemError(`The LTE modem did not answer ${command}: ${(err as Error).message}`);
  }
  if (answer[answer.length - 1] !== 'OK') return undefined;
  return answer.slice(0, -1).filter((line) => line !== command);
}

/** The one line starting with `prefix`, or an error naming what came instead. */
function field(answer: string[], prefix: string, command: string): string {
  const line = answer.find((l) => l.startsWith(prefix));
  if (line === undefined) {
    const got = JSON.stringify(answer.join(' | ').slice(0, 80));
    throw new LteModemError(`Unexpected answer to ${command}: ${got}`);
  }
  return line.slice(prefix.length).trim();
}

/** +CSQ: <rssi>,<ber>. rssi 0..31 is -113..-51 dBm in 2 dB steps; 99 is unknown. */
export function signalDbm(csq: string): number | undefined {
  const match = /^(\d{1,2}),(\d{1,2})$/.exec(csq);
  if (!match)
    throw new LteModemError(`Unexpected signal report: ${JSON.stringify(csq.slice(0, 40))}`);
  const rssi = Number(match[1]);
  if (rssi === 99) return undefined;
  if (rssi > 31) throw new LteModemError(`Signal value out of range: ${rssi}`);
  return -113 + 2 * rssi;
}

/** +CREG/+CEREG: <n>,<stat>[,...]: stat 1 is registered at home, 5 roaming. */
export function registered(reg: string): boolean {
  const match = /^\d,(\d)(,|$)/.exec(reg);
  if (!match)
    throw new LteModemError(`Unexpected registration report: ${JSON.stringify(reg.slice(0, 40))}`);
  return match[1] === '1' || match[1] === '5';
}

/** +COPS: <mode>[,<format>,"<operator>"[,<act>]]: the name, cleaned and bounded. */
export function operatorName(cops: string): string | undefined {
  const match = /^\d(?:,\d,"([^"]*)")?/.exec(cops);
  if (!match)
    throw new LteModemError(`Unexpected operator report: ${JSON.stringify(cops.slice(0, 40))}`);
  // Printable text only: the name reaches the advisor and the portal.
  const name = (match[1] ?? '')
    .replace(/[^\x20-\x7e]/g, '')
    .trim()
    .slice(0, 64);
  return name || undefined;
}

// One conversation per port at a time: the diagnostics check and the heartbeat share the modem.
const busy = new Map<string, Promise<unknown>>();

export function readLteStatus(options: LteOptions): Promise<LteStatus> {
  const previous = busy.get(options.path) ?? Promise.resolve();
  const run = previous.then(
    () => talk(options),
    () => talk(options),
  );
  busy.set(
    options.path,
    run.catch(() => undefined),
  );
  return run;
}

async function talk(options: LteOptions): Promise<LteStatus> {
  const timeoutMs = options.commandTimeoutMs ?? 3000;
  let lines: SerialLines;
  try {
    lines = await openSerialLines(options);
  } catch (err) {
    const message = (err as Error).message;
    // No such device: the modem is not fitted or not plugged in.
    if (/no such file|does not exist|ENOENT/i.test(message)) return { present: false };
    throw new LteModemError(`Cannot open the LTE modem on ${options.path}: ${message}`);
  }
  try {
    const hello = await at(lines, 'AT', timeoutMs);
    if (!hello) throw new LteModemError('The LTE modem answered ERROR to AT');
    const status: LteStatus = { present: true };

    const csq = await at(lines, 'AT+CSQ', timeoutMs);
    if (csq) status.signalDbm = signalDbm(field(csq, '+CSQ:', 'AT+CSQ'));

    // Registered on LTE (EPS) or, for a modem that fell back, on 2G/3G; ERROR: not supported.
    const eps = await at(lines, 'AT+CEREG?', timeoutMs);
    const cs = await at(lines, 'AT+CREG?', timeoutMs);
    const regs = [
      eps && registered(field(eps, '+CEREG:', 'AT+CEREG?')),
      cs && registered(field(cs, '+CREG:', 'AT+CREG?')),
    ].filter((r) => r !== undefined);
    if (regs.length > 0) status.registered = regs.includes(true);

    const cops = await at(lines, 'AT+COPS?', timeoutMs);
    const operator = cops && operatorName(field(cops, '+COPS:', 'AT+COPS?'));
    if (operator) status.operator = operator;
    return status;
  } finally {
    await lines.close();
  }
}
