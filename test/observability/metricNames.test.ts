import { readdirSync } from 'node:fs';
import path from 'node:path';
import { registry } from '../../observability/metrics';
import { grafanaDir, metricNames, readRepoFile, ruleExpressions, yamlValues } from './promql';

// The dashboard and the alert rules may only read metrics that something serves: the process
// metrics of observability/metrics.ts, the API's KPI gauges, Prometheus' own `up`, and the
// recording rules of alerts.yml. A renamed metric otherwise leaves a panel or an alert quietly
// empty.

// The API's KPI gauges (issue #20): names fixed by the brief.
const KPI_METRICS = [
  'zen_kpi_cases',
  'zen_kpi_cases_by_category',
  'zen_kpi_resolved_without_person_ratio',
  'zen_kpi_time_to_resolution_seconds',
  'zen_kpi_approval_wait_seconds',
  'zen_kpi_first_response_seconds',
  'zen_kpi_sla_breaches',
  'zen_kpi_csat_average',
  'zen_kpi_csat_response_ratio',
  'zen_kpi_boxes_online_ratio',
  'zen_kpi_cases_awaiting_technician',
];

/** Every series name the registry serves: a histogram as its _bucket, _sum and _count. */
async function processMetrics(): Promise<string[]> {
  const metrics = await registry.getMetricsAsJSON();
  return metrics.flatMap(({ name, type }) => {
    if (String(type) === 'histogram') return ['_bucket', '_sum', '_count'].map((s) => name + s);
    if (String(type) === 'summary') return [name, `${name}_sum`, `${name}_count`];
    return [name];
  });
}

const rulesYaml = readRepoFile('observability/prometheus/alerts.yml');
const recorded = yamlValues(rulesYaml, 'record');

interface Target {
  expr?: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  type: string;
  title?: string;
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
}

const dashboardFiles = readdirSync(path.join(grafanaDir, 'dashboards')).filter((f) =>
  f.endsWith('.json'),
);
const dashboard = JSON.parse(
  readRepoFile('observability/grafana/dashboards/zen-support.json'),
) as Dashboard;
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const graphs = panels.filter((p) => p.type !== 'row');

describe('metric names in PromQL', () => {
  test('are told apart from functions, labels, ranges and keywords', () => {
    expect(
      metricNames(
        'histogram_quantile(0.9, sum by (le, route) (rate(zen_a_bucket{status=~"5..", x="y"}[5m])))' +
          ' / on() group_left zen:b:rate5m offset 1h and bool up > 1e3 or vector(0)',
      ).sort(),
    ).toEqual(['up', 'zen:b:rate5m', 'zen_a_bucket']);
  });
});

describe('the Grafana dashboard', () => {
  let known: Set<string>;
  beforeAll(async () => {
    known = new Set([...(await processMetrics()), ...KPI_METRICS, ...recorded, 'up']);
  });

  test('is the one dashboard file, valid Grafana JSON with a uid, title and schema version', () => {
    expect(dashboardFiles).toEqual(['zen-support.json']);
    expect(dashboard.uid).toBe('zen-support');
    expect(dashboard.title).toBeTruthy();
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(graphs.length).toBeGreaterThan(10);
  });

  test('queries the provisioned Prometheus in every panel', () => {
    const datasource = readRepoFile(
      'observability/grafana/provisioning/datasources/prometheus.yml',
    );
    const uid = /^\s*uid: (\S+)$/m.exec(datasource)?.[1];
    expect(datasource).toMatch(/^\s*url: http:\/\/prometheus:9090$/m);
    const wrong = graphs
      .filter(
        (p) => !p.targets?.length || p.targets.some((t) => !t.expr || t.datasource?.uid !== uid),
      )
      .map((p) => p.title);
    expect(wrong).toEqual([]);
  });

  test('shows the KPI figures, cases, SLA, satisfaction, boxes, the API and notifications', () => {
    const read = new Set(graphs.flatMap((p) => p.targets!.flatMap((t) => metricNames(t.expr!))));
    const expected = [
      ...KPI_METRICS,
      'zen_cases_opened_total',
      'zen_cases_closed_total',
      'zen_approval_wait_seconds_bucket',
      'zen_sla_breaches_total',
      'zen_http_request_duration_seconds_bucket',
      'zen_http_request_duration_seconds_count',
      'zen_notifications_total',
    ];
    expect(expected.filter((name) => !read.has(name))).toEqual([]);
  });

  test('names only metrics that exist', () => {
    const unknown = graphs.flatMap((p) =>
      p.targets!.flatMap((t) =>
        metricNames(t.expr!)
          .filter((name) => !known.has(name))
          .map((name) => `${p.title}: ${name}`),
      ),
    );
    expect(unknown).toEqual([]);
  });
});

describe('the alert rules', () => {
  test('name only metrics that exist', async () => {
    const known = new Set([...(await processMetrics()), ...KPI_METRICS, ...recorded, 'up']);
    const exprs = ruleExpressions(rulesYaml);
    expect(exprs.length).toBe(yamlValues(rulesYaml, 'alert').length + recorded.length);
    const unknown = exprs.flatMap((expr) => metricNames(expr).filter((name) => !known.has(name)));
    expect(unknown).toEqual([]);
  });
});
