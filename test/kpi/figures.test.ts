import { kpiMetricNames } from '../../api/kpi/metrics';
import { nearestRank } from '../../api/kpi/quantiles';
import type { KpiReport } from '../../contracts/kpi';
import { Case } from '../../store/models';
import { call, startTestStack, type TestStack } from '../support/stack';
import { dayMs, fixtureCases, hourMs, seedKpiFixture, type KpiFixture } from './fixtures';

// The numbers against cases with known durations (./fixtures.ts), through GET /api/kpi on
// the real API and FerretDB, and the same figures as gauges on /metrics. Every expected
// value is worked out by hand from the fixture; p50/p90 by the nearest rank (⌈q·n⌉-th
// smallest).

describe('KPI figures', () => {
  let stack: TestStack;
  let fixture: KpiFixture;

  beforeAll(async () => {
    stack = await startTestStack('kpi-figures', { worker: false });
    fixture = await seedKpiFixture(stack);
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const operator = () => stack.demo.operator.token;
  const report = async (query: Record<string, string>) => {
    const res = await call(`${stack.apiUrl}/api/kpi?${new URLSearchParams(query)}`, operator());
    expect(res.status).toBe(200);
    return res.body as KpiReport;
  };

  it('takes quantiles by the nearest rank', () => {
    expect(nearestRank([60, 120, 180, 240], 0.5)).toBe(120);
    expect(nearestRank([60, 120, 180, 240], 0.9)).toBe(240);
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(nearestRank([42], 0.5)).toBe(42);
    expect(nearestRank([], 0.5)).toBeUndefined();
  });

  it('adds up every figure over all customers, leaving out cases closed outside the period', async () => {
    const r = await report({ from: fixture.from, to: fixture.to });
    expect(r.period).toEqual({ from: fixture.from, to: fixture.to });
    expect(r.cases).toEqual({
      closed: 7,
      byOutcome: { resolved: 4, not_fixable_remotely: 1, escalated: 1, cancelled: 1 },
      byCategory: { dns: 3, gateway: 1, isp: 2, wifi: 1 },
    });
    expect(r.resolvedWithoutPerson).toEqual({ resolved: 4, withoutPerson: 3, ratio: 0.75 });
    expect(r.timeToResolution).toEqual({
      all: { count: 4, p50: 600, p90: 3600 },
      automatic: { count: 3, p50: 600, p90: 1200 },
      technician: { count: 1, p50: 3600, p90: 3600 },
    });
    expect(r.approvalWait).toEqual({ count: 3, p50: 120, p90: 300 });
    expect(r.firstResponse).toEqual({ count: 2, p50: 900, p90: 1800 });
    expect(r.slaBreaches).toEqual({ first_response: 2, resolution: 1 });
    // Asked: every closed case but the cancelled one; answered: a1 (5), a3 (4), b1 (3).
    expect(r.satisfaction).toEqual({ asked: 6, answers: 3, average: 4, responseRatio: 0.5 });
    // X: 10 days, 30 hours offline; Y: 5 days, 24 hours; Z: 10 days, none.
    expect(r.boxes).toEqual({
      count: 3,
      onlineNow: 2,
      onlineNowRatio: 2 / 3,
      onlinePeriodRatio: (600 - 54) / 600,
    });
  });

  it('gives one entry per day touched, with the cases closed that day and their MTTR p50', async () => {
    const r = await report({ from: fixture.from, to: fixture.to });
    // The period starts at a minute, not midnight: it touches 11 UTC days (10 when T is midnight).
    const days = new Set<string>();
    for (let at = fixture.t - 10 * dayMs; at < fixture.t; at += hourMs) {
      days.add(new Date(at).toISOString().slice(0, 10));
    }
    // Its last millisecond too: within an hour after midnight, the hours above miss that day.
    days.add(new Date(fixture.t - 1).toISOString().slice(0, 10));
    expect(r.daily.map((d) => d.day)).toEqual([...days]);
    const inPeriod = fixtureCases.filter((c) => c.agoMs <= 10 * dayMs);
    for (const entry of r.daily) {
      const closed = inPeriod.filter(
        (c) => new Date(fixture.t - c.agoMs).toISOString().slice(0, 10) === entry.day,
      );
      const total = Object.values(entry.closed).reduce((a, b) => a + b, 0);
      expect({ day: entry.day, total }).toEqual({ day: entry.day, total: closed.length });
      for (const c of closed) expect(entry.closed[c.outcome]).toBeGreaterThan(0);
      const resolved = closed
        .map((c) => (c.outcome === 'resolved' ? c.times?.resolutionSeconds : undefined))
        .filter((s): s is number => s !== undefined)
        .sort((a, b) => a - b);
      expect(entry.mttrP50Seconds).toBe(resolved[Math.ceil(resolved.length / 2) - 1]);
    }
    expect(r.daily.reduce((n, d) => n + Object.values(d.closed).reduce((a, b) => a + b), 0)).toBe(
      7,
    );
  });

  it("adds up one customer's figures alone", async () => {
    const r = await report({ from: fixture.from, to: fixture.to, customerId: fixture.customerA });
    expect(r.period.customerId).toBe(fixture.customerA);
    expect(r.cases).toEqual({
      closed: 5,
      byOutcome: { resolved: 3, not_fixable_remotely: 1, escalated: 0, cancelled: 1 },
      byCategory: { dns: 2, gateway: 1, isp: 2 },
    });
    expect(r.resolvedWithoutPerson).toEqual({ resolved: 3, withoutPerson: 2, ratio: 2 / 3 });
    expect(r.timeToResolution).toEqual({
      all: { count: 3, p50: 1200, p90: 3600 },
      automatic: { count: 2, p50: 600, p90: 1200 },
      technician: { count: 1, p50: 3600, p90: 3600 },
    });
    expect(r.approvalWait).toEqual({ count: 2, p50: 120, p90: 300 });
    expect(r.firstResponse).toEqual({ count: 2, p50: 900, p90: 1800 });
    expect(r.slaBreaches).toEqual({ first_response: 2, resolution: 1 });
    expect(r.satisfaction).toEqual({ asked: 4, answers: 2, average: 4.5, responseRatio: 0.5 });
    // X: 10 days, 30 hours offline; Y: 5 days, 24 hours.
    expect(r.boxes).toEqual({
      count: 2,
      onlineNow: 1,
      onlineNowRatio: 0.5,
      onlinePeriodRatio: (360 - 54) / 360,
    });
  });

  it('leaves out figures without data rather than reporting 0', async () => {
    // A period with no case and before any box existed.
    const to = new Date(fixture.t - 50 * dayMs);
    const r = await report({
      from: new Date(to.getTime() - dayMs).toISOString(),
      to: to.toISOString(),
    });
    expect(r.cases.closed).toBe(0);
    expect(r.resolvedWithoutPerson).toEqual({ resolved: 0, withoutPerson: 0 });
    expect(r.timeToResolution.all).toEqual({ count: 0 });
    expect(r.satisfaction).toEqual({ asked: 0, answers: 0 });
    expect(r.boxes).toEqual({ count: 3, onlineNow: 2, onlineNowRatio: 2 / 3 });
  });

  it('answers operators only, and an unknown customer like one without cases', async () => {
    const query = new URLSearchParams({ from: fixture.from, to: fixture.to });
    const url = `${stack.apiUrl}/api/kpi?${query}`;
    expect((await call(url, stack.demo.customer.token)).status).toBe(403);
    expect((await call(url, fixture.customerB.token)).status).toBe(403);
    expect((await call(url, undefined)).status).toBe(401);
    const unknown = await report({ from: fixture.from, to: fixture.to, customerId: 'nobody' });
    expect(unknown.cases.closed).toBe(0);
    expect(unknown.boxes).toEqual({ count: 0, onlineNow: 0 });
  });

  it.each([
    ['"to" before "from"', { from: '2026-11-02T00:00:00Z', to: '2026-11-01T00:00:00Z' }, /after/],
    ['an empty period', { from: '2026-11-01T00:00:00Z', to: '2026-11-01T00:00:00Z' }, /after/],
    ['more than 366 days', { from: '2025-01-01T00:00:00Z', to: '2026-01-03T00:00:00Z' }, /366/],
    ['no "from"', { to: '2026-11-01T00:00:00Z' }, /"from" must be a date/],
    ['a "to" that is no date', { from: '2026-11-01T00:00:00Z', to: 'yesterday' }, /"to" must/],
    [
      'an unknown parameter',
      { from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z', limit: '5' },
      /limit/,
    ],
  ] as const)('refuses %s with 400 and says why', async (_name, query, why) => {
    const res = await call(`${stack.apiUrl}/api/kpi?${new URLSearchParams(query)}`, operator());
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_REQUEST');
    const problems = (res.body.details as { message: string }[]).map((d) => d.message);
    expect(problems).toEqual([expect.stringMatching(why)]);
  });

  describe('on /metrics', () => {
    let scraped: Map<string, number>;
    const scrape = async () => {
      const text = await (await fetch(`${stack.apiUrl}/metrics`)).text();
      const lines = text.split('\n').filter((l) => l.startsWith('zen_kpi_'));
      return {
        text,
        values: new Map(
          lines.map((l) => [
            l.slice(0, l.lastIndexOf(' ')),
            Number(l.slice(l.lastIndexOf(' ') + 1)),
          ]),
        ),
      };
    };

    beforeAll(async () => {
      ({ values: scraped } = await scrape());
    });

    it('shows the figures of the last 24 hours and 30 days', () => {
      const expected: Record<string, number> = {
        'zen_kpi_cases{window="24h",outcome="resolved"}': 1,
        'zen_kpi_cases{window="24h",outcome="not_fixable_remotely"}': 0,
        'zen_kpi_cases{window="24h",outcome="escalated"}': 0,
        'zen_kpi_cases{window="24h",outcome="cancelled"}': 0,
        'zen_kpi_cases{window="30d",outcome="resolved"}': 5,
        'zen_kpi_cases{window="30d",outcome="not_fixable_remotely"}': 1,
        'zen_kpi_cases{window="30d",outcome="escalated"}': 1,
        'zen_kpi_cases{window="30d",outcome="cancelled"}': 1,
        'zen_kpi_cases_by_category{window="24h",category="dns"}': 1,
        'zen_kpi_cases_by_category{window="30d",category="dns"}': 4,
        'zen_kpi_cases_by_category{window="30d",category="gateway"}': 1,
        'zen_kpi_cases_by_category{window="30d",category="isp"}': 2,
        'zen_kpi_cases_by_category{window="30d",category="wifi"}': 1,
        'zen_kpi_resolved_without_person_ratio{window="24h"}': 1,
        'zen_kpi_resolved_without_person_ratio{window="30d"}': 0.8,
        'zen_kpi_time_to_resolution_seconds{window="24h",resolved_by="all",quantile="0.5"}': 600,
        'zen_kpi_time_to_resolution_seconds{window="24h",resolved_by="all",quantile="0.9"}': 600,
        'zen_kpi_time_to_resolution_seconds{window="24h",resolved_by="automatic",quantile="0.5"}': 600,
        'zen_kpi_time_to_resolution_seconds{window="24h",resolved_by="automatic",quantile="0.9"}': 600,
        'zen_kpi_time_to_resolution_seconds{window="30d",resolved_by="all",quantile="0.5"}': 1200,
        'zen_kpi_time_to_resolution_seconds{window="30d",resolved_by="all",quantile="0.9"}': 7200,
        'zen_kpi_time_to_resolution_seconds{window="30d",resolved_by="automatic",quantile="0.5"}': 600,
        'zen_kpi_time_to_resolution_seconds{window="30d",resolved_by="automatic",quantile="0.9"}': 7200,
        'zen_kpi_time_to_resolution_seconds{window="30d",resolved_by="technician",quantile="0.5"}': 3600,
        'zen_kpi_time_to_resolution_seconds{window="30d",resolved_by="technician",quantile="0.9"}': 3600,
        'zen_kpi_approval_wait_seconds{window="24h",quantile="0.5"}': 120,
        'zen_kpi_approval_wait_seconds{window="24h",quantile="0.9"}': 120,
        'zen_kpi_approval_wait_seconds{window="30d",quantile="0.5"}': 120,
        'zen_kpi_approval_wait_seconds{window="30d",quantile="0.9"}': 300,
        'zen_kpi_first_response_seconds{window="30d",quantile="0.5"}': 900,
        'zen_kpi_first_response_seconds{window="30d",quantile="0.9"}': 1800,
        'zen_kpi_sla_breaches{window="24h",kind="first_response"}': 0,
        'zen_kpi_sla_breaches{window="24h",kind="resolution"}': 0,
        'zen_kpi_sla_breaches{window="30d",kind="first_response"}': 2,
        'zen_kpi_sla_breaches{window="30d",kind="resolution"}': 1,
        'zen_kpi_csat_average{window="24h"}': 5,
        'zen_kpi_csat_average{window="30d"}': 3.5,
        'zen_kpi_csat_response_ratio{window="24h"}': 1,
        'zen_kpi_csat_response_ratio{window="30d"}': 4 / 7,
        zen_kpi_boxes_online_ratio: 2 / 3,
        zen_kpi_cases_awaiting_technician: 1,
      };
      // Exactly these: figures without data (no technician case, no first response in the
      // last 24 hours) are not there at all.
      expect(Object.fromEntries(scraped)).toEqual(expected);
    });

    it('has no NaN and declares every gauge', async () => {
      const { text } = await scrape();
      expect(text).not.toMatch(/^zen_kpi_.*NaN$/m);
      for (const name of kpiMetricNames()) {
        expect(text).toContain(`# TYPE ${name} gauge`);
      }
    });

    it('reads the store at most once in 30 seconds, however often it is scraped', async () => {
      await Case.collection.insertOne({
        _id: fixture.caseId('late') as never,
        workflowId: 'support-case-late',
        customerId: fixture.customerA,
        deviceId: stack.demo.device.deviceId,
        channel: 'portal',
        status: 'resolved',
        outcome: 'resolved',
        resolvedBy: 'automation',
        times: { totalSeconds: 30, resolutionSeconds: 30, approvalWaitSeconds: 0 },
        slaBreaches: [],
        issueCategory: 'dns',
        completedAt: new Date(),
      });
      const { values } = await scrape();
      expect(values.get('zen_kpi_cases{window="24h",outcome="resolved"}')).toBe(1);
    });
  });
});
