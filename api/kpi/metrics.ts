import { Gauge, type MetricValue } from 'prom-client';
import { kpiOutcomes, type KpiQuantiles, type KpiReport } from '../../contracts/kpi';
import type { Logger } from '../../observability/logger';
import { registry } from '../../observability/metrics';
import { countAwaitingTechnician } from './read';
import { kpiReports } from './report';

// The numbers as Prometheus gauges on the API's /metrics (the alert rules and the dashboard
// read these names). They are computed from the store when scraped, at most once per
// `kpiCacheMs` whatever the number of scrapers; a figure without data is left out rather
// than sent as 0 or NaN. Counts are always sent: none is a real 0.

export const kpiCacheMs = 30_000;
const dayMs = 24 * 3_600_000;
export const kpiWindows = { '24h': dayMs, '30d': 30 * dayMs } as const;
type Window = keyof typeof kpiWindows;

interface KpiSnapshot {
  reports: Record<Window, KpiReport>;
  awaitingTechnician: number;
}

let cached: { at: number; snapshot: Promise<KpiSnapshot | undefined> } | undefined;
let log: Logger | undefined;

async function readSnapshot(now: Date): Promise<KpiSnapshot> {
  const since = (window: Window) => ({
    from: new Date(now.getTime() - kpiWindows[window]),
    to: now,
  });
  const [[day, month], awaitingTechnician] = await Promise.all([
    kpiReports([since('24h'), since('30d')], now),
    countAwaitingTechnician(),
  ]);
  return { reports: { '24h': day!, '30d': month! }, awaitingTechnician };
}

/** The figures of the last scrape within `kpiCacheMs`, or fresh ones; undefined when the store failed. */
function snapshot(): Promise<KpiSnapshot | undefined> {
  const now = Date.now();
  if (!cached || now - cached.at >= kpiCacheMs) {
    const fresh = readSnapshot(new Date(now)).catch((err: unknown) => {
      log?.warn({ err }, 'KPI metrics could not be read from the store');
      return undefined;
    });
    cached = { at: now, snapshot: fresh };
  }
  return cached.snapshot;
}

type Labels<T extends string> = Partial<Record<T, string>>;
type Sample<T extends string> = { labels: Labels<T>; value: number };

/** A gauge whose values are computed from the snapshot when scraped, and only those that exist. */
class ComputedGauge<T extends string> extends Gauge<T> {
  constructor(
    name: string,
    help: string,
    labelNames: readonly T[],
    private readonly samples: (s: KpiSnapshot) => Sample<T>[],
  ) {
    super({ name, help, labelNames, registers: [] });
  }

  override async get() {
    const base = await super.get();
    const now = await snapshot();
    const values: MetricValue<T>[] = now ? this.samples(now) : [];
    return { ...base, values };
  }
}

/** One sample per window, where the figure exists. */
function perWindow<T extends string>(
  figure: (r: KpiReport) => { labels?: Labels<T>; value: number | undefined }[],
): (s: KpiSnapshot) => Sample<T | 'window'>[] {
  return (s) =>
    (Object.keys(kpiWindows) as Window[]).flatMap((window) =>
      figure(s.reports[window])
        .filter((f): f is { labels?: Labels<T>; value: number } => f.value !== undefined)
        .map((f) => ({ labels: { window, ...f.labels } as Labels<T | 'window'>, value: f.value })),
    );
}

function quantileSamples<T extends string>(q: KpiQuantiles, labels: Labels<T> = {}) {
  return [
    { labels: { ...labels, quantile: '0.5' }, value: q.p50 },
    { labels: { ...labels, quantile: '0.9' }, value: q.p90 },
  ];
}

function createGauges(): ComputedGauge<string>[] {
  return [
    new ComputedGauge(
      'zen_kpi_cases',
      'Cases closed in the window, by outcome',
      ['window', 'outcome'],
      perWindow((r) =>
        kpiOutcomes.map((outcome) => ({ labels: { outcome }, value: r.cases.byOutcome[outcome] })),
      ),
    ),
    new ComputedGauge(
      'zen_kpi_cases_by_category',
      'Cases closed in the window, by issue category (categories with cases)',
      ['window', 'category'],
      perWindow((r) =>
        Object.entries(r.cases.byCategory).map(([category, value]) => ({
          labels: { category },
          value,
        })),
      ),
    ),
    new ComputedGauge(
      'zen_kpi_resolved_without_person_ratio',
      'Share of resolved cases the automation or the customer resolved without a technician',
      ['window'],
      perWindow((r) => [{ value: r.resolvedWithoutPerson.ratio }]),
    ),
    new ComputedGauge(
      'zen_kpi_time_to_resolution_seconds',
      'Time to resolution of resolved cases (nearest-rank quantiles), by who resolved them',
      ['window', 'resolved_by', 'quantile'],
      perWindow((r) => [
        ...quantileSamples(r.timeToResolution.all, { resolved_by: 'all' }),
        ...quantileSamples(r.timeToResolution.automatic, { resolved_by: 'automatic' }),
        ...quantileSamples(r.timeToResolution.technician, { resolved_by: 'technician' }),
      ]),
    ),
    new ComputedGauge(
      'zen_kpi_approval_wait_seconds',
      "Time fixes waited for the customer's decision, over cases that waited",
      ['window', 'quantile'],
      perWindow((r) => quantileSamples(r.approvalWait)),
    ),
    new ComputedGauge(
      'zen_kpi_first_response_seconds',
      "Time from the hand-over to a technician's first action",
      ['window', 'quantile'],
      perWindow((r) => quantileSamples(r.firstResponse)),
    ),
    new ComputedGauge(
      'zen_kpi_sla_breaches',
      'Service-level deadlines passed by the cases closed in the window, by kind',
      ['window', 'kind'],
      perWindow((r) =>
        Object.entries(r.slaBreaches).map(([kind, value]) => ({ labels: { kind }, value })),
      ),
    ),
    new ComputedGauge(
      'zen_kpi_csat_average',
      'Average satisfaction score (1 to 5) of the cases closed in the window',
      ['window'],
      perWindow((r) => [{ value: r.satisfaction.average }]),
    ),
    new ComputedGauge(
      'zen_kpi_csat_response_ratio',
      'Satisfaction answers over closed cases that were asked (all but cancelled)',
      ['window'],
      perWindow((r) => [{ value: r.satisfaction.responseRatio }]),
    ),
    new ComputedGauge('zen_kpi_boxes_online_ratio', 'Share of boxes online now', [], (s) => {
      const ratio = s.reports['24h'].boxes.onlineNowRatio;
      return ratio === undefined ? [] : [{ labels: {}, value: ratio }];
    }),
    new ComputedGauge(
      'zen_kpi_cases_awaiting_technician',
      'Open cases handed over to the technicians that nobody has claimed yet',
      [],
      (s) => [{ labels: {}, value: s.awaitingTechnician }],
    ),
  ];
}

let gauges: ComputedGauge<string>[] | undefined;

/** Adds the KPI gauges to the process's registry (once, however many APIs the process runs). */
export function registerKpiMetrics(logger: Logger): void {
  log = logger;
  gauges ??= createGauges();
  for (const gauge of gauges) registry.registerMetric(gauge);
}
