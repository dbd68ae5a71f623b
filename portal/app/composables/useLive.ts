import { io, type Socket } from 'socket.io-client';
import type { CaseUpdate, DeviceHealthUpdate } from '#shared/types/api';

// The live feed of case steps and boxes' state (socket.io namespace /portal), through the
// portal's origin so the session cookie authenticates it. One connection per page that needs it.

export interface LiveHandlers {
  onUpdate?(update: CaseUpdate): void;
  /** A box's state changed: online or not, its path, what its monitor says. */
  onDeviceHealth?(update: DeviceHealthUpdate): void;
  /**
   * Reconnected after a drop, or the API's instances lost touch for a moment (live:resync):
   * steps may have been missed, so reload what the page shows.
   */
  onResync(): void;
}

export function useLive(handlers: LiveHandlers) {
  const connected = ref(false);
  let socket: Socket | undefined;

  onMounted(() => {
    // /live is the portal server's proxy to the API's socket.io (server/routes/live.ts).
    socket = io('/portal', { path: '/live', addTrailingSlash: false });
    let connectedBefore = false;
    socket.on('connect', () => {
      connected.value = true;
      if (connectedBefore) handlers.onResync();
      connectedBefore = true;
    });
    socket.on('disconnect', () => (connected.value = false));
    socket.on('live:resync', () => handlers.onResync());
    socket.on('case:update', (update: CaseUpdate) => handlers.onUpdate?.(update));
    socket.on('device:health', (update: DeviceHealthUpdate) => handlers.onDeviceHealth?.(update));
  });
  onBeforeUnmount(() => socket?.close());

  return { connected: readonly(connected) };
}
