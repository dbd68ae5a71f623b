import { CaseSatisfaction } from '../store/satisfaction';
import type { CaseOutcome } from '../contracts/caseFigures';
import { Case } from '../store/models';
import { withBenchStack } from './stack';
import { round } from './stats';

// How long the numbers take over many closed cases: N cases closed over the last 30 days
// (written straight into the store, as the case workflow leaves them), then GET /api/kpi over
// those 30 days and /metrics scrapes (the first reads the store, the next within 30 s is
// cached). Figures to read, no target.

export interface KpiBenchResult {
  section: 'kpi';
  cases: number;
  secondsToInsert: number;
  /** GET /api/kpi over 30 days, three times. */
  reportMs: number[];
  /** The first scrape computes the gauges; the second comes from the cache. */
  scrapeMs: { first: number; cached: number };
  ok: boolean;
}

const dayMs = 24 * 3_600_000;
const outcomes: CaseOutcome[] = [
  'resolved',
  'resolved',
  'resolved',
  'not_fixable_remotely',
  'cancelled',
];

function closedCase(i: number, customerId: string, deviceId: string, now: number) {
  const outcome = outcomes[i % outcomes.length]!;
  const completedAt = new Date(now - ((i * 7919) % (30 * dayMs - 60_000)) - 60_000);
  const resolutionSeconds = 60 + ((i * 104_729) % 7200);
  return {
    _id: `bench-kpi-${i}`,
    workflowId: `bench-kpi-${i}`,
    customerId,
    deviceId,
    channel: 'portal',
    status: outcome,
    outcome,
    resolvedBy: outcome === 'resolved' ? (i % 4 === 0 ? 'technician' : 'automation') : undefined,
    issueCategory: ['dns', 'gateway', 'isp', 'wifi'][i % 4],
    times: {
      totalSeconds: resolutionSeconds,
      ...(outcome === 'resolved' && { resolutionSeconds }),
      approvalWaitSeconds: i % 3 === 0 ? 0 : 30 + (i % 600),
    },
    slaBreaches: i % 50 === 0 ? [{ kind: 'resolution', at: completedAt.getTime() }] : [],
    createdAt: new Date(completedAt.getTime() - resolutionSeconds * 1000),
    completedAt,
  };
}

async function timed(fn: () => Promise<Response>): Promise<number> {
  const started = performance.now();
  const res = await fn();
  await res.text();
  if (!res.ok) throw new Error(`${res.url} answered ${res.status}`);
  return round(performance.now() - started);
}

export async function measureKpi({
  cases = 10_000,
  log = (line: string) => console.error(line),
} = {}): Promise<KpiBenchResult> {
  return withBenchStack('kpi', async (stack) => {
    const now = Date.now();
    log(`inserting ${cases} closed cases and ${Math.ceil(cases * 0.4)} satisfaction answers...`);
    const started = Date.now();
    const batch = 1000;
    for (let i = 0; i < cases; i += batch) {
      const docs = Array.from({ length: Math.min(batch, cases - i) }, (_, j) =>
        closedCase(i + j, stack.demo.customer.id, stack.demo.device.deviceId, now),
      );
      await Case.collection.insertMany(docs as never[]);
      const answers = docs
        .filter((d, j) => d.outcome !== 'cancelled' && (i + j) % 5 < 2)
        .map((d, j) => ({
          _id: d._id,
          customerId: d.customerId,
          score: 1 + ((i + j) % 5),
          channel: 'email',
          at: d.completedAt,
        }));
      if (answers.length) {
        await CaseSatisfaction.collection.insertMany(answers as never[]);
      }
    }
    const secondsToInsert = round((Date.now() - started) / 1000);
    const query = new URLSearchParams({
      from: new Date(now - 30 * dayMs).toISOString(),
      to: new Date(now).toISOString(),
    });
    const headers = { authorization: `Bearer ${stack.demo.operator.token}` };
    const reportMs: number[] = [];
    for (let run = 0; run < 3; run++) {
      log(`GET /api/kpi over 30 days (${run + 1} of 3)...`);
      reportMs.push(await timed(() => fetch(`${stack.apiUrl}/api/kpi?${query}`, { headers })));
    }
    log('scraping /metrics twice...');
    const first = await timed(() => fetch(`${stack.apiUrl}/metrics`));
    const cached = await timed(() => fetch(`${stack.apiUrl}/metrics`));
    return {
      section: 'kpi',
      cases,
      secondsToInsert,
      reportMs,
      scrapeMs: { first, cached },
      ok: true,
    };
  });
}

export function formatKpi(r: KpiBenchResult): string {
  return [
    `KPI over ${r.cases} closed cases (inserted in ${r.secondsToInsert} s)`,
    `  GET /api/kpi, 30 days: ${r.reportMs.map((ms) => `${ms} ms`).join(', ')}`,
    `  /metrics: ${r.scrapeMs.first} ms computing the gauges, ${r.scrapeMs.cached} ms from the cache`,
  ].join('\n');
}
