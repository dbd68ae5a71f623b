import { Router } from 'express';
import { z } from 'zod';
import {
  DeviceHistory,
  HistoryQuery,
  OutageList,
  type HistoryResolution,
} from '../../contracts/monitor';
import { deviceByDeviceId } from '../../store/lookups';
import type { Principal, RequireRole } from '../auth';
import { HttpError } from '../errors';
import { reachesCustomer } from '../tenantScope';
import { hourWindowMs, minuteWindowMs } from '../monitoring/historyBuckets';
import { readHistory, readOutages } from '../monitoring/historyRead';

// A box's health history and outages (api/monitoring/historyRead.ts): customers read
// their own boxes, operators all.

const DeviceParams = z.object({ deviceId: z.string().min(1).max(100) });
const OutagesQuery = HistoryQuery.pick({ from: true, to: true }).strict();

const dayMs = 24 * 3_600_000;
/** A little slack for the caller's clock: a `to` in the near future is fine. */
const clockSlackMs = 5 * 60_000;

export function deviceHealthRouter(requireRole: RequireRole): Router {
  const router = Router();

  router.get(
    '/devices/:deviceId/health',
    requireRole('customer', 'partner', 'operator'),
    async (req, res) => {
      const { deviceId } = DeviceParams.parse(req.params);
      const query = HistoryQuery.strict().parse(req.query);
      const now = new Date();
      const range = checkedRange(query, now, dayMs);
      const resolution = query.resolution ?? (range.span <= minuteWindowMs ? 'minute' : 'hour');
      checkResolution(resolution, range, now);
      const device = await visibleDevice(req.principal!, deviceId);
      res.json(DeviceHistory.parse(await readHistory(device, { ...range, resolution }, now)));
    },
  );

  router.get(
    '/devices/:deviceId/outages',
    requireRole('customer', 'partner', 'operator'),
    async (req, res) => {
      const { deviceId } = DeviceParams.parse(req.params);
      const query = OutagesQuery.parse(req.query);
      const now = new Date();
      const { from, to } = checkedRange(query, now, 30 * dayMs);
      const device = await visibleDevice(req.principal!, deviceId);
      const outages = await readOutages(device.deviceId, from, to, now);
      res.json(OutageList.parse({ deviceId: device.deviceId, outages }));
    },
  );

  return router;
}

function invalid(message: string): never {
  throw new HttpError(400, 'INVALID_REQUEST', message);
}

/** From and to as dates (default: `defaultSpanMs` up to now), in order, within a year. */
function checkedRange(query: { from?: string; to?: string }, now: Date, defaultSpanMs: number) {
  const to = query.to ? new Date(query.to) : now;
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - defaultSpanMs);
  if (from >= to) invalid('"from" must be before "to"');
  if (to.getTime() > now.getTime() + clockSlackMs) invalid('"to" must not be in the future');
  if (now.getTime() - from.getTime() > hourWindowMs) {
    invalid('History reaches back one year: give a later "from"');
  }
  return { from, to, span: to.getTime() - from.getTime() };
}

function checkResolution(resolution: HistoryResolution, range: { from: Date }, now: Date): void {
  if (resolution === 'minute' && now.getTime() - range.from.getTime() > minuteWindowMs) {
    invalid(
      'Minute resolution reaches back 48 hours: give a later "from", or ask for resolution=hour',
    );
  }
}

/** The box, if this person may see it; another customer's box looks exactly like none. */
async function visibleDevice(principal: Principal, deviceId: string) {
  const device = await deviceByDeviceId(deviceId);
  if (!device || !reachesCustomer(principal, device.customerId)) {
    throw new HttpError(404, 'DEVICE_NOT_FOUND', 'No such device');
  }
  return device;
}
