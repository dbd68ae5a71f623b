import type { Socket } from 'socket.io-client';
import { connectAgent } from './connection';
import type { Log } from './log';
import { createExecutor, type Executor } from './executor';
import { createJournal } from './journal';
import {
  createLed,
  createStatusLight,
  type Led,
  type LedOptions,
  type StatusLight,
} from './peripherals/led';
import { SimulatedNetwork } from './simulator/network';

// The whole agent with a simulated network behind it: for `--simulate`,
// demos and tests that need a device connected to the API.

export interface SimulatedAgentOptions {
  apiUrl: string;
  token: string;
  /** A name from `scenarios`; an unknown name throws, listing the valid ones. */
  scenario: string;
  log?: Log;
  /** Keep the remediation journal in this file (otherwise in memory). */
  journalPath?: string;
  heartbeatMs?: number;
  ackTimeoutMs?: number;
  /** A status LED controller on a serial port. */
  led?: LedOptions;
}

export interface SimulatedAgent {
  socket: Socket;
  network: SimulatedNetwork;
  executor: Executor;
  light: StatusLight;
  stop(): void;
}

export function startSimulatedAgent(options: SimulatedAgentOptions): SimulatedAgent {
  const network = new SimulatedNetwork(options.scenario);
  const executor = createExecutor({
    backend: network,
    journal: createJournal(options.journalPath),
  });
  const started = Date.now();
  const led: Led | undefined = options.led && createLed({ log: options.log, ...options.led });
  const light = createStatusLight(led);
  const socket = connectAgent({
    apiUrl: options.apiUrl,
    token: options.token,
    heartbeatMs: options.heartbeatMs,
    ackTimeoutMs: options.ackTimeoutMs,
    log: options.log,
    health: () => ({
      led: light.state,
      uptimeSeconds: Math.round((Date.now() - started) / 1000),
      summary: `simulated (${options.scenario})`,
    }),
    onCommand: (command) => executor.execute(command),
    onEvent: (event) => light.handle(event),
  });
  return {
    socket,
    network,
    executor,
    light,
    stop: () => {
      socket.disconnect();
      void led?.close();
    },
  };
}
