import type { MonitorInterval } from '../../contracts/monitor';
import type { MonitoredDevice, MonitoringDeps } from '.';

// PLACEHOLDER (helper "history" replaces it): intervals into minute buckets, outages,
// and a box noticed offline coming back.

export async function storeIntervals(
  _device: MonitoredDevice,
  intervals: MonitorInterval[],
): Promise<number | undefined> {
  return intervals.at(-1)?.seq;
}

export async function markBack(_deps: MonitoringDeps, _device: MonitoredDevice): Promise<void> {}
