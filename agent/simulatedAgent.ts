import type { Socket } from 'socket.io-client';
import type { z } from 'zod';
import { connectAgent } from './connection';
import { jsonLog, type Log } from './log';
import { attachMonitor, type AttachedMonitor } from './monitor/attach';
import { MonitorConfig } from './monitor/config';
import { simulatedProbes } from './monitor/simulatedProbes';
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
  /**
   * Run the continuous monitor against the simulated network (`npm start`'s demo boxes);
   * settings as the agent config's `monitor` (intervals in seconds, short ones for tests).
   */
  monitor?: z.input<typeof MonitorConfig>;
}

export interface SimulatedAgent {
  socket: Socket;
  /** The network behind the box now (a new one after `setScenario`). */
  readonly network: SimulatedNetwork;
  executor: Executor;
  light: StatusLight;
  /** The continuous monitor, when started with one. */
  monitor?: AttachedMonitor;
  /**
   * Puts the box on another network while it stays connected (the demo's "make
   * something break"); an unknown name throws, listing the valid ones.
   */
  setScenario(scenario: string): void;
  stop(): void;
}

export function startSimulatedAgent(options: SimulatedAgentOptions): SimulatedAgent {
  let network = new SimulatedNetwork(options.scenario);
  // The executor keeps one backend (and one journal) for the box's life; the network behind it may change.
  const executor = createExecutor({
    backend: {
      runCheck: (name) => network.runCheck(name),
      apply: (action, params) => network.apply(action, params),
    },
    journal: createJournal(options.journalPath),
  });
  const started = Date.now();
  const led: Led | undefined = options.led && createLed({ log: options.log, ...options.led });
  const light = createStatusLight(led);
  const monitor =
    options.monitor &&
    attachMonitor({
      config: MonitorConfig.parse(options.monitor),
      source: simulatedProbes(() => network),
      log: options.log ?? jsonLog,
      beatNow: () => socket.beatNow(),
    });
  const socket = connectAgent({
    apiUrl: options.apiUrl,
    token: options.token,
    heartbeatMs: options.heartbeatMs,
    ackTimeoutMs: options.ackTimeoutMs,
    log: options.log,
    health: () => {
      const health = {
        led: light.state,
        uptimeSeconds: Math.round((Date.now() - started) / 1000),
        // What the real agent says: customers never see the simulator's names.
        summary: 'ok',
      };
      return monitor ? monitor.withReport(health) : health;
    },
    onHeartbeatAck: monitor?.onHeartbeatAck,
    onCommand: (command) => executor.execute(command),
    onEvent: (event) => light.handle(event),
  });
  return {
    socket,
    get network() {
      return network;
    },
    executor,
    light,
    monitor,
    setScenario(scenario) {
      network = new SimulatedNetwork(scenario);
    },
    stop: () => {
      monitor?.monitor.stop();
      socket.disconnect();
      void led?.close();
    },
  };
}
