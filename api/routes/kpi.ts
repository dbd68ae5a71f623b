import { Router } from 'express';
import { KpiQuery, KpiReport } from '../../contracts/kpi';
import type { RequireRole } from '../auth';
import { kpiReport } from '../kpi/report';

// The numbers for operators over a period (api/kpi): all customers, or one. An unknown
// customer id gets an empty report, like a customer without cases.

export function kpiRouter(requireRole: RequireRole): Router {
  const router = Router();

  router.get('/kpi', requireRole('operator'), async (req, res) => {
    const query = KpiQuery.parse(req.query);
    const report = await kpiReport({
      from: new Date(query.from),
      to: new Date(query.to),
      ...(query.customerId !== undefined && { customerId: query.customerId }),
    });
    res.json(KpiReport.parse(report));
  });

  return router;
}
