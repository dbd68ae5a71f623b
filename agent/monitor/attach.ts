import path from 'node:path';
import type { Heartbeat } from '../../contracts/device';
import type { HeartbeatAck } from '../../contracts/monitor';
import type { Log } from '../log';
import type { MonitorConfig } from './config';
import { startMonitor, type Monitor } from './monitor';
import type { ProbeSource } from './probes';
import { createMonitorQueue } from './queue';
import { monitorStateFile } from './stateFile';

// The monitor as an agent (real or simulated) wires it to its cloud connection:
// the heartbeat carries its report, the ack empties its queue, a change beats at once.

export interface AttachedMonitor {
  monitor: Monitor;
  /** Adds the monitor's report to a heartbeat. */
  withReport(heartbeat: Heartbeat): Heartbeat;
  onHeartbeatAck(ack: HeartbeatAck): void;
}

export function attachMonitor(options: {
  config: MonitorConfig;
  /** The agent's state directory: the queue's file goes there unless the config names one. */
  stateDir?: string;
  source: ProbeSource;
  log: Log;
  beatNow: () => void;
}): AttachedMonitor | undefined {
  const { config, log } = options;
  if (!config.enabled) return undefined;
  const file =
    config.queueFile ??
    (options.stateDir ? path.join(options.stateDir, 'monitor-queue.jsonl') : undefined);
  const queue = createMonitorQueue({ file, limit: config.queueLimit, log });
  const monitor = startMonitor({
    config,
    source: options.source,
    queue,
    log,
    beatNow: options.beatNow,
    stateFile: monitorStateFile(file && path.join(path.dirname(file), 'monitor-state.json'), log),
  });
  return {
    monitor,
    withReport(heartbeat) {
      const report = monitor.report();
      return report ? { ...heartbeat, monitor: report } : heartbeat;
    },
    onHeartbeatAck(ack) {
      if (ack.monitorSeq !== undefined) monitor.acknowledged(ack.monitorSeq);
    },
  };
}
