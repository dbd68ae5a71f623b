import type { Server as SocketServer } from 'socket.io';
import { z } from 'zod';
import { CaseStepEvent } from '../contracts/api';
import type { CaseParties } from '../store/lookups';
import type { DeviceGateway } from './deviceGateway';

// A case's step reaches the portals that show the case and the case's box, on every API
// instance. One bus message carries it to the other instances: a room emit to the portals
// and the box's status apart were two, and every instance reads every bus message.

const relayEvent = 'case:step:relay';
const RelayedStep = z
  .object({
    customerId: z.string().min(1).max(100),
    deviceId: z.string().min(1).max(100),
    event: CaseStepEvent,
  })
  .strict();
type RelayedStep = z.infer<typeof RelayedStep>;

/** Relays a step of the case whose parties are given; nothing is awaited or acknowledged. */
export type RelayCaseStep = (parties: CaseParties, event: CaseStepEvent) => void;

export function attachCaseStepRelay(
  io: SocketServer,
  gateway: Pick<DeviceGateway, 'tellCaseStatus'>,
  /** Other API instances share the rooms (api/socketBus.ts). */
  shared: boolean,
): RelayCaseStep {
  const portal = io.of('/portal');
  const deliver = ({ customerId, deviceId, event }: RelayedStep) => {
    // An internal note is the operators' alone.
    portal.local
      .to(event.internal ? ['operators'] : [`customer:${customerId}`, 'operators'])
      .emit('case:update', event);
    gateway.tellCaseStatus(deviceId, event);
  };
  portal.on(relayEvent, (message: unknown) => {
    const relayed = RelayedStep.safeParse(message);
    if (relayed.success) deliver(relayed.data);
  });
  return ({ customerId, deviceId }, event) => {
    const step = { customerId, deviceId, event };
    deliver(step);
    if (shared) portal.serverSideEmit(relayEvent, step);
  };
}
