import type { KpiReport } from '../../contracts/kpi';
import { Case } from '../../store/models';
import { approve, connectDevice, openDemoCase, waitForStatus } from '../support/cases';
import { call, startTestStack, type TestStack } from '../support/stack';

// A real case through the stack (a simulated box whose router hangs, the fix approved by
// the customer after a wait, fixed and verified) counts in the numbers with the figures its
// closing step wrote: in GET /api/kpi and on /metrics.

describe('KPI figures of a real case', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack('kpi-real', {
      caseSettings: { approvalTimeoutMs: 60_000, approvalGraceMs: 60_000 },
    });
  });

  afterAll(() => stack?.stop());

  it('counts a case the automation resolved, with its time to resolution and approval wait', async () => {
    const started = Date.now();
    const device = connectDevice(stack, 'gateway-unreachable');
    try {
      const { caseId, handle } = await openDemoCase(stack);
      const waiting = await waitForStatus(handle, 'awaiting_approval');
      // The customer takes a moment: the approval wait is at least a whole second.
      await new Promise((r) => setTimeout(r, 1500));
      expect((await approve(stack, caseId, waiting.proposal!.actionId)).status).toBe(200);
      expect((await handle.result()).status).toBe('resolved');

      const doc = await Case.findById(caseId).lean();
      expect(doc).toMatchObject({ outcome: 'resolved', resolvedBy: 'automation' });
      const times = doc!.times!;
      expect(times.approvalWaitSeconds).toBeGreaterThanOrEqual(1);

      const query = new URLSearchParams({
        from: new Date(started - 60_000).toISOString(),
        to: new Date(Date.now() + 60_000).toISOString(),
      });
      const res = await call(`${stack.apiUrl}/api/kpi?${query}`, stack.demo.operator.token);
      expect(res.status).toBe(200);
      const report = res.body as KpiReport;
      expect(report.cases).toEqual({
        closed: 1,
        byOutcome: { resolved: 1, not_fixable_remotely: 0, escalated: 0, cancelled: 0 },
        byCategory: { gateway: 1 },
      });
      expect(report.resolvedWithoutPerson).toEqual({ resolved: 1, withoutPerson: 1, ratio: 1 });
      const resolution = times.resolutionSeconds!;
      expect(report.timeToResolution).toEqual({
        all: { count: 1, p50: resolution, p90: resolution },
        automatic: { count: 1, p50: resolution, p90: resolution },
        technician: { count: 0 },
      });
      const wait = times.approvalWaitSeconds!;
      expect(report.approvalWait).toEqual({ count: 1, p50: wait, p90: wait });
      expect(report.firstResponse).toEqual({ count: 0 });
      expect(report.satisfaction).toMatchObject({ asked: 1 });

      const metrics = await (await fetch(`${stack.apiUrl}/metrics`)).text();
      expect(metrics).toContain('zen_kpi_cases{window="24h",outcome="resolved"} 1\n');
      expect(metrics).toContain(
        `zen_kpi_time_to_resolution_seconds{window="24h",resolved_by="automatic",quantile="0.5"} ${resolution}\n`,
      );
    } finally {
      device.stop();
    }
  }, 120_000);
});
