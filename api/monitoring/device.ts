import type { Client } from '@temporalio/client';
import type { CloudPath } from '../../contracts/cloudPath';
import type { Logger } from '../../observability/logger';
import type { CaseDefaults, CustomerCaller } from '../cases';
import type { HealthLive } from './live';

// What every part of the cloud's monitoring is handed: the box a report is about, and
// what it may use to act on it.

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
