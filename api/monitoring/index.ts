import type { MonitorReport, MonitorState } from '../../contracts/monitor';
import { actOnMonitorState } from './faults';
import { markBack, markGone, monitorStateChanged, storeIntervals } from './history';
import type { MonitoredDevice, MonitoringDeps } from './device';

// What the cloud does with the box's continuous monitor (agent/monitor/): its intervals
// go into the health history, and a change of its state opens a case or says it is over.

export interface DeviceMonitoring {
  /** Stores the report's intervals and acts on its state; the highest interval seq stored. */
  report(device: MonitoredDevice, report: MonitorReport): Promise<number | undefined>;
  /** The box connected: if it had been noticed offline, it is back. */
  connected(device: MonitoredDevice): Promise<void>;
  /** The box's last socket dropped. */
  disconnected(device: MonitoredDevice): Promise<void>;
  /** Resolves when no state change is still being acted on. */
  settled(): Promise<void>;
}

export function createDeviceMonitoring(deps: MonitoringDeps): DeviceMonitoring {
  // A state change is acted on beside the heartbeat: its acknowledgement says only what was
  // stored, and must not wait for a case to open (Temporal slow, or no worker polling).
  // A failed action is undone and tried again with the next beat (./faults.ts).
  // One device's changes are acted on in the order they came: a recovery right behind its
  // fault must find the fault stored.
  const acting = new Map<string, Promise<void>>();
  const act = async (device: MonitoredDevice, state: MonitorState) => {
    try {
      await actOnMonitorState(deps, device, state);
    } catch (err) {
      deps.logger.warn({ err, deviceId: device.deviceId }, 'acting on the monitor state failed');
    }
  };
  return {
    async report(device, report) {
      const stored = await storeIntervals(device, report.intervals);
      // The portal hears at once, in the order the box reported; a case may take longer.
      if (monitorStateChanged(device, report.state)) {
        await deps.live?.changed(device.deviceId, report.state);
      }
      const action = (acting.get(device.docId) ?? Promise.resolve()).then(() =>
        act(device, report.state),
      );
      acting.set(device.docId, action);
      void action.finally(() => {
        if (acting.get(device.docId) === action) acting.delete(device.docId);
      });
      return stored;
    },
    async settled() {
      while (acting.size > 0) await Promise.all([...acting.values()]);
    },
    connected: (device) => markBack(deps, device),
    disconnected: (device) => markGone(deps, device),
  };
}
