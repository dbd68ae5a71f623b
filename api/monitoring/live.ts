import type { Server as SocketServer } from 'socket.io';
import type { DeviceHistory, MonitorState } from '../../contracts/monitor';
import { deviceByDeviceId } from '../../store/lookups';
import { currentState } from './historyRead';

// `device:health` on the portal's live namespace: a box's page updates without reloading
// when the box comes or goes, or its monitor's state changes. To the box's customer and
// to operators, as case updates go (api/app.ts attachPortalLive).

export const deviceHealthEvent = 'device:health';

export interface DeviceHealthEvent {
  deviceId: string;
  current: DeviceHistory['current'];
}

export interface HealthLive {
  /** Tells the portal the box's current state; `monitor` when it is newer than the stored one. */
  changed(deviceId: string, monitor?: MonitorState): Promise<void>;
}

export function createHealthLive(io: SocketServer): HealthLive {
  return {
    async changed(deviceId, monitor) {
      const device = await deviceByDeviceId(deviceId);
      if (!device) return;
      const current = currentState(device);
      const event: DeviceHealthEvent = {
        deviceId,
        current: { ...current, ...(monitor && { monitor }) },
      };
      io.of('/portal')
        .to([`customer:${device.customerId}`, 'operators'])
        .emit(deviceHealthEvent, event);
    },
  };
}
