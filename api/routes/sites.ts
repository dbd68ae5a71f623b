import { Router } from 'express';
import { SiteRequest, UpdateSiteRequest } from '../../contracts/tenancy';
import { Site } from '../../store/models';
import type { RequireRole } from '../auth';
import { HttpError } from '../errors';
import { param, reachableCustomer } from '../tenancy/scope';
import { siteView } from '../tenancy/views';

// A customer's sites (where its Zen boxes stand): its people read them; its admins, its
// partner and operators add and rename them.

export function sitesRouter(requireRole: RequireRole): Router {
  const router = Router();
  const managers = requireRole('operator', 'partner', 'customer_admin');

  router.get(
    '/customers/:id/sites',
    requireRole('operator', 'partner', 'customer'),
    async (req, res) => {
      const customer = await reachableCustomer(req.principal!, param(req.params.id));
      const sites = await Site.find({ customerId: customer._id }).sort({ createdAt: 1 }).lean();
      res.json({ sites: sites.map(siteView) });
    },
  );

  router.post('/customers/:id/sites', managers, async (req, res) => {
    const body = SiteRequest.parse(req.body);
    const customer = await reachableCustomer(req.principal!, param(req.params.id));
    const site = await Site.create({ ...body, customerId: customer._id });
    res.status(201).json({ site: siteView(site.toObject()) });
  });

  router.patch('/customers/:id/sites/:siteId', managers, async (req, res) => {
    const body = UpdateSiteRequest.parse(req.body);
    const customer = await reachableCustomer(req.principal!, param(req.params.id));
    const mine = { _id: param(req.params.siteId), customerId: customer._id };
    if (Object.keys(body).length > 0) await Site.updateOne(mine, { $set: body });
    const site = await Site.findOne(mine).lean();
    if (!site) throw new HttpError(404, 'SITE_NOT_FOUND', 'No such site');
    res.json({ site: siteView(site) });
  });

  return router;
}
