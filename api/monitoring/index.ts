import type { Client } from '@temporalio/client';
import type { CloudPath } from '../../contracts/cloudPath';
import type { MonitorReport } from '../../contracts/monitor';
import type { Logger } from '../../observability/logger';
import type { CaseDefaults, CustomerCaller } from '../cases';
import { actOnMonitorState } from './faults';
import { markBack, markGone, monitorStateChanged, storeIntervals } from './history';
import type { HealthLive } from './live';

// What the cloud does with the box's continuous monitor (agent/monitor/): its intervals
// go into the health history, and a change of its state opens a case or says it is over.

export interface MonitoredDevice {
  deviceId: string;
  /** The device document's _id. */
  docId: string;
  /** The way the report came: a box on LTE is still online. */
  cloudPath?: CloudPath;
}

export interface MonitoringDeps {
  temporal: Client;
  defaults: CaseDefaults;
  voice: CustomerCaller;
  logger: Logger;
  /** Tells the portal when a box's state changes (device:health). */
  live?: HealthLive;
}

export interface DeviceMonitoring {
  /** Stores the report's intervals and acts on its state; the highest interval seq stored. */
  report(device: MonitoredDevice, report: MonitorReport): Promise<number | undefined>;
  /** The box connected: if it had been noticed offline, it is back. */
  connected(device: MonitoredDevice): Promise<void>;
  /** The box's last socket dropped. */
  disconnected(device: MonitoredDevice): Promise<void>;
}

export function createDeviceMonitoring(deps: MonitoringDeps): DeviceMonitoring {
  return {
    async report(device, report) {
      const stored = await storeIntervals(device, report.intervals);
      await actOnMonitorState(deps, device, report.state);
      if (monitorStateChanged(device, report.state)) {
        await deps.live?.changed(device.deviceId, report.state);
      }
      return stored;
    },
    connected: (device) => markBack(deps, device),
    disconnected: (device) => markGone(deps, device),
  };
}
