import { Router } from 'express';
import { z } from 'zod';
import { loadConfig } from '../../config';
import { monthKeyPattern } from '../../reports/month';
import { gatherMonthlyReport } from '../../reports/monthly';
import { renderMonthlyEmail } from '../../reports/monthlyEmail';
import type { RequireRole } from '../auth';
import { HttpError } from '../errors';
import { reachesCustomer } from '../tenantScope';

// Operators (and a partner, for its own customers) preview a customer's monthly report: the email's HTML, as it would be sent
// (a month in progress shows its figures so far).

export const ReportParams = z.object({
  customerId: z.string().min(1).max(100),
  month: z.string().regex(monthKeyPattern, 'a month as YYYY-MM, e.g. 2026-11'),
});

export function reportsRouter(
  requireRole: RequireRole,
  supportNumber = loadConfig().notifier.supportNumber,
): Router {
  const router = Router();
  router.get(
    '/customers/:customerId/reports/:month',
    requireRole('operator', 'partner'),
    async (req, res) => {
      const parsed = ReportParams.safeParse(req.params);
      if (!parsed.success) {
        throw new HttpError(
          400,
          'INVALID_REPORT_REQUEST',
          parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
        );
      }
      const { customerId, month } = parsed.data;
      const now = new Date();
      if (month > now.toISOString().slice(0, 7)) {
        throw new HttpError(400, 'INVALID_REPORT_REQUEST', 'month: that month has not begun');
      }
      // Another partner's customer is as unknown as a missing one.
      const report = reachesCustomer(req.principal!, customerId)
        ? await gatherMonthlyReport(customerId, month, now)
        : undefined;
      if (!report) throw new HttpError(404, 'CUSTOMER_NOT_FOUND', 'No such customer');
      res.type('html').send(renderMonthlyEmail(report, { supportNumber }).html);
    },
  );
  return router;
}
