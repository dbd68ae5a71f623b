import { Router } from 'express';
import type { Server as SocketServer } from 'socket.io';
import { CaseEventRequest, PushCommandRequest } from '../../contracts/api';
import { caseParties } from '../../store/lookups';
import type { RequireRole } from '../auth';
import { tellDeviceCaseStatus, type DeviceGateway } from '../deviceGateway';
import { HttpError } from '../errors';

// Calls from the worker (service token only): push a stored command to its
// device, and relay a case's progress to the portal and to the case's device.

export function internalRouter(
  requireRole: RequireRole,
  gateway: DeviceGateway,
  io: SocketServer,
): Router {
  const router = Router();
  // Mounted at /api/internal: everything here is for the worker's service token only.
  router.use(requireRole('service'));

  router.post('/device-commands/:id/push', async (req, res) => {
    const { deviceId, command } = PushCommandRequest.parse(req.body);
    if (command.commandId !== req.params.id) {
      throw new HttpError(400, 'COMMAND_MISMATCH', 'The body is another command than the path');
    }
    res.json({ sent: await gateway.push(deviceId, command) });
  });

  router.post('/cases/:id/events', async (req, res) => {
    const body = CaseEventRequest.parse(req.body);
    const doc = await caseParties(String(req.params.id));
    if (!doc) throw new HttpError(404, 'CASE_NOT_FOUND', 'No such case');
    const event = { caseId: doc._id, ...body };
    io.of('/portal')
      .to([`customer:${doc.customerId}`, 'operators'])
      .emit('case:update', event);
    tellDeviceCaseStatus(io, doc.deviceId, doc._id, body.status);
    res.json({ ok: true });
  });

  return router;
}
