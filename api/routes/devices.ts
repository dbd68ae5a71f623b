import type { Client } from '@temporalio/client';
import { Router } from 'express';
import { closedStatuses } from '../../contracts/case';
import mongoose from 'mongoose';
import { DeviceDiagnosticRequest, RegisterDeviceRequest } from '../../contracts/api';
import { advise } from '../../activities/advisor';
import { Case, Device, Site } from '../../store/models';
import { hashToken, newToken } from '../../store/tokens';
import type { RequireRole } from '../auth';
import { openAgentCase, type CaseDefaults } from '../cases';
import { HttpError } from '../errors';
import type { Voice } from '../voice/router';

// The original device endpoints, with the device token (or a user enrolling a
// device) in the Authorization header.

export function devicesRouter(
  temporal: Client,
  requireRole: RequireRole,
  defaults: CaseDefaults,
  voice: Pick<Voice, 'callCustomer'>,
): Router {
  const router = Router();

  router.post(
    '/device/register',
    requireRole('device', 'customer', 'operator'),
    async (req, res) => {
      const body = RegisterDeviceRequest.parse(req.body);
      const principal = req.principal!;
      // Where the device's socket.io connection goes: this API, as the device reached it.
      const cloudEndpoint = `${req.protocol === 'https' ? 'wss' : 'ws'}://${req.get('host')}/device`;
      if (principal.role === 'device') {
        if (principal.deviceId !== body.deviceId) {
          throw new HttpError(403, 'FORBIDDEN', 'A device registers only itself');
        }
        await Device.updateOne(
          { deviceId: body.deviceId },
          { $set: { networkConfig: body.networkInfo ?? {}, lastSeen: new Date() } },
        );
        const open = await openCaseOf(body.deviceId);
        res.json({ status: 'registered', sessionId: open?._id ?? null, cloudEndpoint });
        return;
      }
      // A person enrolls a new device for a customer they act for.
      const customerId = principal.role === 'customer' ? principal.customerId : undefined;
      const site = body.siteId
        ? await Site.findOne({ _id: body.siteId, ...(customerId ? { customerId } : {}) }).lean()
        : await Site.findOne({ customerId }).lean();
      if (!site) throw new HttpError(404, 'SITE_NOT_FOUND', 'No such site');
      if (await Device.exists({ deviceId: body.deviceId })) {
        throw new HttpError(409, 'DEVICE_EXISTS', `Device ${body.deviceId} is already registered`);
      }
      const deviceToken = newToken('zd');
      await Device.create({
        customerId: site.customerId,
        siteId: site._id,
        deviceId: body.deviceId,
        serialNumber: body.serialNumber,
        tokenHash: hashToken(deviceToken),
        networkConfig: body.networkInfo ?? {},
      });
      res.status(201).json({ status: 'registered', sessionId: null, cloudEndpoint, deviceToken });
    },
  );

  router.post('/device/diagnostic', requireRole('device'), async (req, res) => {
    const body = DeviceDiagnosticRequest.parse(req.body);
    const principal = req.principal!;
    const results = body.diagnosticData.results;
    const advice = await advise({
      caseId: body.sessionId ?? 'unopened',
      round: 1,
      maxRounds: 2,
      results,
      actionsTaken: [],
    });
    // A fault the device found on its own opens (or joins) its case.
    if (advice.kind !== 'healthy') {
      const found = advice.kind === 'more_checks' ? 'a possible fault' : advice.diagnosis;
      const description = `The Zen box reported: ${found}`;
      await openAgentCase(
        temporal,
        principal,
        { deviceId: principal.deviceId!, description },
        defaults,
        voice,
      );
    }
    res.json({
      analysis: advice.kind === 'more_checks' ? advice.rationale : advice.diagnosis,
      nextActions:
        advice.kind === 'more_checks'
          ? advice.checks
          : advice.kind === 'remediate'
            ? [advice.action]
            : [],
      requiresApproval: advice.kind === 'remediate',
    });
  });

  return router;
}

async function openCaseOf(deviceId: string) {
  return Case.findOne({
    deviceId,
    status: mongoose.trusted({ $nin: closedStatuses }),
  }).lean();
}
