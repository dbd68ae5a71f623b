import type { Server as SocketServer } from 'socket.io';
import {
  CaseStepEvent,
  internalLink,
  PlaceCall,
  PushCommand,
  type PlaceCallAck,
  type PushCommandAck,
} from '../contracts/api';
import type { Logger } from '../observability/logger';
import { caseParties } from '../store/lookups';
import type { Authenticate } from './auth';
import type { RelayCaseStep } from './caseStepRelay';
import type { DeviceGateway } from './deviceGateway';
import type { Voice } from './voice/router';

// The worker's link (contracts/api.ts internalLink): the service token only.
// It pushes stored commands to their devices and relays case steps to the
// portal and to the case's device, and rings a customer's contact for the notifier.

export function attachInternalLink(
  io: SocketServer,
  authenticate: Authenticate,
  gateway: Pick<DeviceGateway, 'push'>,
  relayStep: RelayCaseStep,
  voice: Pick<Voice, 'placeCall'>,
  logger: Logger,
): void {
  const link = io.of(internalLink.namespace);
  link.use(async (socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown }).token;
    const principal = typeof token === 'string' ? await authenticate(token) : undefined;
    if (principal?.role !== 'service') return next(new Error('unauthorized'));
    next();
  });

  link.on('connection', (socket) => {
    socket.on(internalLink.pushCommand, async (message: unknown, ack: unknown) => {
      if (typeof ack !== 'function') return;
      const answer = (reply: PushCommandAck) => ack(reply);
      const parsed = PushCommand.safeParse(message);
      if (!parsed.success) {
        return answer({ error: `Not a command push: ${parsed.error.issues[0]?.message}` });
      }
      try {
        answer({ sent: await gateway.push(parsed.data.deviceId, parsed.data.command) });
      } catch (err) {
        // The command went out to the device's room; only the count of its sockets is missing.
        logger.warn({ err, commandId: parsed.data.command.commandId }, 'command push unconfirmed');
        answer({
          error:
            'The command went out, but an API instance did not say whether the device is on it',
        });
      }
    });

    socket.on(internalLink.placeCall, async (message: unknown, ack: unknown) => {
      if (typeof ack !== 'function') return;
      const answer = (reply: PlaceCallAck) => ack(reply);
      const parsed = PlaceCall.safeParse(message);
      if (!parsed.success) {
        return answer({
          refused: `Not a call request: ${parsed.error.issues[0]?.message}`,
          final: true,
        });
      }
      try {
        answer(await voice.placeCall(parsed.data));
      } catch (err) {
        // Before the dial (the store): nothing rang.
        logger.error({ err, caseId: parsed.data.caseId }, 'call request failed');
        answer({ refused: 'The call could not be placed' });
      }
    });

    socket.on(internalLink.caseStep, async (message: unknown) => {
      const parsed = CaseStepEvent.safeParse(message);
      if (!parsed.success) {
        logger.warn({ issues: parsed.error.issues.slice(0, 3) }, 'case step refused');
        return;
      }
      const event = parsed.data;
      try {
        const parties = await caseParties(event.caseId);
        if (!parties) return logger.warn({ caseId: event.caseId }, 'case step for no known case');
        relayStep(parties, event);
      } catch (err) {
        logger.error({ err, caseId: event.caseId }, 'case step not relayed');
      }
    });
  });
}
