import { Router } from 'express';
import mongoose from 'mongoose';
import {
  ListDevicesQuery,
  type CloudLinkView,
  type DevicesResponse,
  type DeviceView,
} from '../../contracts/api';
import type { Heartbeat } from '../../contracts/device';
import { closedStatuses } from '../../contracts/case';
import { Case, Customer, Device, Site } from '../../store/models';
import type { RequireRole } from '../auth';
import { withinScope } from '../tenantScope';

// The dashboard's view of sites and Zen boxes: a customer sees their own, operators all.

export function fleetRouter(requireRole: RequireRole): Router {
  const router = Router();

  router.get('/devices', requireRole('customer', 'partner', 'operator'), async (req, res) => {
    const query = ListDevicesQuery.parse(req.query);
    const filter = withinScope(req.principal!, {
      ...(query.customerId && { customerId: query.customerId }),
      ...(query.siteId && { siteId: query.siteId }),
    });
    const devices = filter ? await Device.find(filter).sort({ deviceId: 1 }).limit(500).lean() : [];
    const deviceIds = devices.map((d) => d.deviceId);
    const [sites, customers, openCases] = await Promise.all([
      Site.find({ _id: inList(devices.map((d) => d.siteId)) }).lean(),
      Customer.find({ _id: inList(devices.map((d) => d.customerId)) }, { businessName: 1 }).lean(),
      Case.find(
        { deviceId: inList(deviceIds), status: mongoose.trusted({ $nin: closedStatuses }) },
        { deviceId: 1, status: 1 },
      ).lean(),
    ]);
    const siteOf = new Map(sites.map((s) => [s._id, s]));
    const nameOf = new Map(customers.map((c) => [c._id, c.businessName]));
    const caseOf = new Map(openCases.map((c) => [c.deviceId, c]));
    const body: DevicesResponse = {
      devices: devices.map((device) => {
        const site = siteOf.get(device.siteId);
        const open = caseOf.get(device.deviceId);
        return {
          deviceId: device.deviceId,
          customerId: device.customerId,
          businessName: nameOf.get(device.customerId),
          site: { id: device.siteId, name: site?.name, address: site?.address ?? undefined },
          status: device.status,
          lastSeen: device.lastSeen?.toISOString(),
          ...healthView(device.health as Heartbeat | undefined, device.cloudPathSince),
          openCase: open ? { id: open._id, status: open.status } : undefined,
        };
      }),
    };
    res.json(body);
  });

  return router;
}

/** The stored heartbeat, split into the box's health and how it reaches the cloud. */
function healthView(
  health: Heartbeat | undefined,
  cloudPathSince: Date | null | undefined,
): Pick<DeviceView, 'health' | 'cloudLink'> {
  if (!health) return {};
  const { cloudPath, lteData, ...rest } = health;
  const cloudLink: CloudLinkView | undefined = cloudPath && {
    path: cloudPath,
    since: cloudPathSince?.toISOString(),
    lteData,
  };
  return { health: rest, cloudLink };
}

/** Our own operator in a filter: sanitizeFilter strips operators from anything else. */
function inList(values: string[]) {
  return mongoose.trusted({ $in: [...new Set(values)] });
}
