import { io, type Socket } from 'socket.io-client';
import {
  internalLink,
  type CaseStepEvent,
  type PlaceCall,
  type PlaceCallAck,
  type PushCommandAck,
} from '../contracts/api';
import type { DeviceCommand } from '../contracts/device';

// The worker's line to the API, which holds the device and portal sockets: one
// socket.io connection (contracts/api.ts internalLink) with the service token.

export interface ApiLink {
  /** Sends a stored command to its device; true when the device was connected to take it. */
  pushCommand(deviceId: string, command: DeviceCommand): Promise<boolean>;
  /**
   * Tells the portal and the device about a case step. Live updates are a
   * convenience: the document is already written, so this never fails (and
   * repeats) the step; a step sent while the API is away is not heard live.
   */
  notifyCase(event: CaseStepEvent): Promise<void>;
  /**
   * Asks the API to ring a contact about a case. Rejects with LinkDown when the request never
   * left (nothing rang); any other rejection leaves the call's fate unknown.
   */
  placeCall(request: PlaceCall): Promise<PlaceCallAck>;
  close(): void;
}

/** How long a call waits for the link to be up, and for the API's acknowledgement. */
const waitMs = 5000;
/** A dial may take Telnyx a few seconds, and its SDK retries an unanswered command. */
const callWaitMs = 15_000;

/** The link was not up: a request was never sent. */
export class LinkDown extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LinkDown';
  }
}

export function createApiLink(
  apiUrl: string,
  token: string,
  { onRefused = (_message: string) => {} } = {},
): ApiLink {
  const socket: Socket = io(`${apiUrl}${internalLink.namespace}`, {
    auth: { token },
    transports: ['websocket'],
    reconnectionDelay: 200,
    reconnectionDelayMax: 2000,
  });
  // A refused handshake is not retried by socket.io: the token is wrong, and stays so.
  socket.on('connect_error', (err) => {
    if (!socket.active) onRefused(`The API refused the worker's service token: ${err.message}`);
  });

  function connected(): Promise<void> {
    if (socket.connected) return Promise.resolve();
    if (!socket.active) return Promise.reject(new Error('The API refused the service token'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.off('connect', onConnect);
        reject(new Error(`The API was not reachable for ${waitMs / 1000} s`));
      }, waitMs);
      const onConnect = () => {
        clearTimeout(timer);
        resolve();
      };
      socket.once('connect', onConnect);
    });
  }

  return {
    async pushCommand(deviceId, command) {
      await connected();
      const ack = (await socket
        .timeout(waitMs)
        .emitWithAck(internalLink.pushCommand, { deviceId, command })) as PushCommandAck;
      if ('error' in ack) throw new Error(ack.error);
      return ack.sent;
    },
    async notifyCase(event) {
      try {
        await connected();
        socket.emit(internalLink.caseStep, event);
      } catch {
        // Not heard live; the portal reads the case document when it looks again.
      }
    },
    async placeCall(request) {
      try {
        await connected();
      } catch (err) {
        throw new LinkDown((err as Error).message);
      }
      return (await socket
        .timeout(callWaitMs)
        .emitWithAck(internalLink.placeCall, request)) as PlaceCallAck;
    },
    close: () => void socket.close(),
  };
}
