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
import type { Principal, RequireRole } from '../auth';
import {
  afterCursor,
  findByIds,
  pageOf,
  pageSort,
  searchPattern,
  withConditions,
  type PageOrder,
} from '../paging';
import { withinScope } from '../tenantScope';

// The dashboard's view of sites and Zen boxes, a page at a time by box id: a customer
// sees their own, operators all.

export function fleetRouter(requireRole: RequireRole): Router {
  const router = Router();

  router.get('/devices', requireRole('customer', 'partner', 'operator'), async (req, res) => {
    const query = ListDevicesQuery.parse(req.query);
    const after = afterCursor(byBoxId, query.cursor);
    const filter = withinScope(req.principal!, {
      ...(query.customerId && { customerId: query.customerId }),
      ...(query.siteId && { siteId: query.siteId }),
    });
    // Both read their whole collections on FerretDB/SQLite (api/paging.ts): side by side.
    const [rows, openCases] = filter
      ? await Promise.all([
          Device.find(withConditions(filter, [after, await deviceSearch(query.q)]))
            .sort(pageSort(byBoxId))
            .limit(query.limit + 1)
            .lean(),
          openCasesOf(req.principal!, query.customerId),
        ])
      : [[], []];
    const { rows: devices, nextCursor } = pageOf(byBoxId, rows, query.limit);
    const [siteOf, customerOf] = await Promise.all([
      findByIds(
        (id) => Site.findById(id).lean(),
        devices.map((d) => d.siteId),
      ),
      findByIds(
        (id) => Customer.findById(id, { businessName: 1 }).lean(),
        devices.map((d) => d.customerId),
      ),
    ]);
    const caseOf = new Map(openCases.map((c) => [c.deviceId, c]));
    const body: DevicesResponse = {
      devices: devices.map((device) => {
        const site = siteOf.get(device.siteId);
        const open = caseOf.get(device.deviceId);
        return {
          deviceId: device.deviceId,
          customerId: device.customerId,
          businessName: customerOf.get(device.customerId)?.businessName,
          site: { id: device.siteId, name: site?.name, address: site?.address ?? undefined },
          status: device.status,
          lastSeen: device.lastSeen?.toISOString(),
          ...healthView(device.health as Heartbeat | undefined, device.cloudPathSince),
          openCase: open ? { id: open._id, status: open.status } : undefined,
        };
      }),
      nextCursor,
    };
    res.json(body);
  });

  return router;
}

const byBoxId: PageOrder = { list: 'devices', key: 'deviceId', kind: 'string', direction: 1 };

/**
 * The open cases the caller may see, by device: few beside the boxes, and read in the same
 * time as the page of boxes rather than after it.
 */
async function openCasesOf(principal: Principal, customerId: string | undefined) {
  const filter = withinScope(principal, {
    ...(customerId && { customerId }),
    status: mongoose.trusted({ $nin: closedStatuses }),
  });
  return filter ? Case.find(filter, { deviceId: 1, status: 1 }).lean() : [];
}

/**
 * Boxes whose id or site name holds `q`. The matching sites are read first (any
 * tenant's: the device filter's own scope still decides what the caller gets).
 */
async function deviceSearch(q: string | undefined) {
  const pattern = searchPattern(q);
  if (!pattern) return undefined;
  const sites = await Site.find({ name: pattern }, { _id: 1 }).lean();
  return { $or: [{ deviceId: pattern }, { siteId: inList(sites.map((s) => s._id)) }] };
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
