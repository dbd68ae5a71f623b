import {
  ledColours,
  nextLightState,
  type AgentEvent,
  type LedState,
  type LightState,
} from './ledState';
import { openSerialLines, type SerialLines, type SerialOptions } from './serialLines';

// The status LED's controller on a serial port. Protocol (agent/README.md,
// "LED controller"): the agent writes `LED <state> <#rrggbb>\n`, the controller
// answers `OK\n` or `ERR <reason>\n`.

export interface LedOptions extends SerialOptions {
  /** How long the controller has to answer a line. */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface Led {
  /** Shows a state; resolves once the controller confirmed it (or failed, which is logged). */
  show(state: LedState): Promise<boolean>;
  close(): Promise<void>;
}

export function ledLine(state: LedState): string {
  return `LED ${state} ${ledColours[state]}\n`;
}

export function createLed(options: LedOptions): Led {
  const log = options.log ?? ((line: string) => console.log(line));
  const timeoutMs = options.timeoutMs ?? 2000;
  let lines: Promise<SerialLines> | undefined;
  let failing = false;
  let shown: LedState | undefined;
  // Only the newest state matters: a show() that waited behind another sends the latest.
  let wanted: LedState | undefined;
  let chain: Promise<boolean> = Promise.resolve(true);

  const send = async (): Promise<boolean> => {
    const state = wanted;
    if (state === undefined || state === shown) return true;
    try {
      lines ??= openSerialLines(options);
      const answer = await (
        await lines
      ).exchange(ledLine(state), (line) => line === 'OK' || line.startsWith('ERR'), timeoutMs);
      const last = answer[answer.length - 1]!;
      if (last !== 'OK')
        throw new Error(`the controller answered ${JSON.stringify(last.slice(0, 80))}`);
      if (failing) log(`status LED: working again (${state})`);
      failing = false;
      shown = state;
      return true;
    } catch (err) {
      // Logged once per outage; the port is opened afresh for the next state.
      if (!failing) log(`status LED on ${options.path}: ${(err as Error).message}`);
      failing = true;
      shown = undefined;
      const stale = lines;
      lines = undefined;
      await stale?.then((l) => l.close()).catch(() => undefined);
      return false;
    }
  };

  return {
    show(state) {
      wanted = state;
      chain = chain.then(send);
      return chain;
    },
    async close() {
      await chain;
      await lines?.then((l) => l.close()).catch(() => undefined);
      lines = undefined;
    },
  };
}

export interface StatusLight {
  /** The state shown now (also reported in the heartbeat). */
  readonly state: LedState;
  handle(event: AgentEvent): void;
}

/** Follows the agent's events and shows each new state on the LED, when there is one. */
export function createStatusLight(led?: Led): StatusLight {
  let light: LightState = { led: 'offline', path: 'wired' };
  void led?.show(light.led);
  return {
    get state() {
      return light.led;
    },
    handle(event) {
      const next = nextLightState(light, event);
      const changed = next.led !== light.led;
      light = next;
      if (changed) void led?.show(next.led);
    },
  };
}
