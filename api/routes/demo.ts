import { existsSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { Router } from 'express';
import mongoose from 'mongoose';
import { z } from 'zod';
import { demoScenarios } from '../../agent/simulator/scenarios';
import { closedStatuses } from '../../contracts/case';
import { Case, Device, Site } from '../../store/models';
import type { RequireRole } from '../auth';
import { withinScope } from '../tenantScope';
import { HttpError } from '../errors';

// The demo site of `npm start` (mounted only in demo mode): the signed-in customer's
// simulated Zen boxes, and a fault to put one of them into. Each demo box listens on
// its own control socket in `controlDir`, which npm start made; a box without one is
// not a demo box, and another customer's box is as absent as one that does not exist.

const demoScenarioNames = demoScenarios.map((s) => s.name) as [string, ...string[]];
const titleOf = new Map<string, string>(demoScenarios.map((s) => [s.name, s.title]));

const BoxParams = z.object({ deviceId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/) });
const SetScenarioBody = z
  .object({
    scenario: z.enum(demoScenarioNames, {
      error: `scenario: one of ${demoScenarioNames.join(', ')}`,
    }),
  })
  .strict();

export interface DemoSettings {
  controlDir: string;
}

export function demoRouter(requireRole: RequireRole, { controlDir }: DemoSettings): Router {
  const router = Router();
  const socketOf = (deviceId: string) => path.join(controlDir, `${deviceId}.sock`);

  router.get('/demo', requireRole('customer', 'operator'), async (req, res) => {
    const filter = withinScope(req.principal!, {})!;
    const devices = (await Device.find(filter).sort({ deviceId: 1 }).limit(100).lean()).filter(
      (d) => existsSync(socketOf(d.deviceId)),
    );
    const sites = await Site.find({
      _id: mongoose.trusted({ $in: devices.map((d) => d.siteId) }),
    }).lean();
    const siteName = new Map(sites.map((s) => [s._id, s.name]));
    const boxes = await Promise.all(
      devices.map(async (d) => {
        const now = await askBox(socketOf(d.deviceId), 'GET').catch(() => undefined);
        const scenario = (now?.body as { scenario?: string } | undefined)?.scenario;
        return {
          deviceId: d.deviceId,
          site: siteName.get(d.siteId) ?? 'Site',
          running: now !== undefined,
          fault:
            scenario && scenario !== 'healthy'
              ? (titleOf.get(scenario) ?? 'Another fault')
              : undefined,
        };
      }),
    );
    res.json({ scenarios: demoScenarios, boxes });
  });

  router.post(
    '/demo/boxes/:deviceId/scenario',
    requireRole('customer', 'operator'),
    async (req, res) => {
      const { deviceId } = BoxParams.parse(req.params);
      const { scenario } = SetScenarioBody.parse(req.body);
      const scope = withinScope(req.principal!, { deviceId });
      const device = scope && (await Device.exists(scope));
      if (!device || !existsSync(socketOf(deviceId))) {
        throw new HttpError(404, 'DEMO_BOX_NOT_FOUND', 'No such demo box');
      }
      const answer = await askBox(socketOf(deviceId), 'PUT', { scenario }).catch(() => {
        throw new HttpError(503, 'DEMO_BOX_DOWN', 'That demo box is not running');
      });
      if (answer.status !== 200) {
        throw new HttpError(502, 'DEMO_BOX_FAILED', 'The demo box could not change its network');
      }
      const open = await Case.findOne(
        { deviceId, status: mongoose.trusted({ $nin: closedStatuses }) },
        { _id: 1 },
      ).lean();
      res.json({ deviceId, scenario, title: titleOf.get(scenario), caseId: open?._id ?? null });
    },
  );

  return router;
}

/** One request to a demo box's control socket (HTTP over a Unix socket on this machine). */
function askBox(
  socketPath: string,
  method: 'GET' | 'PUT',
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath, path: '/scenario', method, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown });
          } catch (err) {
            reject(err as Error);
          }
        });
      },
    );
    // The box runs its checks and reports before it answers: a few seconds at most.
    req.setTimeout(20_000, () => req.destroy(new Error('the demo box did not answer')));
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
