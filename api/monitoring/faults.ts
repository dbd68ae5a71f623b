import type { MonitorState } from '../../contracts/monitor';
import type { MonitoredDevice, MonitoringDeps } from '.';

// PLACEHOLDER (helper "monitor" replaces it): a confirmed fault opens the box's case
// on the agent channel, and its start and end are notified.

export async function actOnMonitorState(
  _deps: MonitoringDeps,
  _device: MonitoredDevice,
  _state: MonitorState,
): Promise<void> {}
