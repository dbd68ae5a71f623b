import type { Client } from '@temporalio/client';
import { Router } from 'express';
import { closedStatuses } from '../../contracts/case';
import mongoose from 'mongoose';
import { DeviceDiagnosticRequest, RegisterDeviceRequest } from '../../contracts/api';
import { advise } from '../../activities/advisor';
import { Case, Device } from '../../store/models';
import type { RequireRole } from '../auth';
import { openAgentCase, type CaseDefaults } from '../cases';
import { cloudEndpoint, createDevice, siteFor } from '../devices';
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
    requireRole('device', 'customer_admin', 'operator'),
    async (req, res) => {
      const body = RegisterDeviceRequest.parse(req.body);
      const principal = req.principal!;
      const endpoint = cloudEndpoint(req);
      if (principal.role === 'device') {
        if (principal.deviceId !== body.deviceId) {
          throw new HttpError(403, 'FORBIDDEN', 'A device registers only itself');
        }
        await Device.updateOne(
          { _id: principal.id },
          { $set: { networkConfig: body.networkInfo ?? {}, lastSeen: new Date() } },
        );
        const open = await openCaseOf(body.deviceId);
        res.json({
          status: 'registered',
          sessionId: open?._id ?? null,
          cloudEndpoint: endpoint,
        });
        return;
      }
      // A person enrolls a new device for a customer they act for.
      const site = await siteFor(principal, body.siteId);
      const deviceToken = await createDevice(site, body);
      res
        .status(201)
        .json({ status: 'registered', sessionId: null, cloudEndpoint: endpoint, deviceToken });
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
