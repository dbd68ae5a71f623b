import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../config';
import { freePort } from '../../temporal-config/process';
import { eventually, startTestStack, type TestStack } from '../support/stack';
import { killProcess, startWorkerProcess, type WorkerProcess } from '../support/workerProcess';
import { prometheusDir } from './promql';

// The compose Prometheus config, run by a real Prometheus server (Debian's, beside promtool)
// against a real API and worker process: the only changes are the addresses (loopback ports
// instead of compose names), the token file's place and a faster scrape for the test.

const MISSING =
  'prometheus is not on PATH: `npm test` installs it as root (Debian package prometheus)';
const installed = spawnSync('prometheus', ['--version']).error === undefined;
const inCi = process.env.CI === 'true';
if (!installed && !inCi) console.warn(`Skipping the Prometheus scrape test. ${MISSING}`);
const describeScrape = installed || inCi ? describe : describe.skip;

const TOKEN = 'scrape-test-metrics-token';

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

describeScrape('Prometheus with the compose scrape config', () => {
  let stack: TestStack;
  let worker: WorkerProcess;
  let prometheus: ChildProcess | undefined;
  let dir: string;
  let promUrl: string;
  let tokenFile: string;
  let workerPort: number;

  async function query(expr: string): Promise<Sample[]> {
    const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as { data: { result: Sample[] } };
    return body.data.result;
  }

  /** `up` of each job, once every target has been scraped after `since` (Unix seconds). */
  async function upAfter(since: number): Promise<Record<string, string>> {
    return eventually(
      async () => {
        const res = await fetch(`${promUrl}/api/v1/targets`);
        const { data } = (await res.json()) as {
          data: {
            activeTargets: { labels: { job: string }; lastScrape: string; health: string }[];
          };
        };
        const targets = data.activeTargets;
        const fresh = targets.every((t) => Date.parse(t.lastScrape) / 1000 > since);
        if (targets.length !== 2 || !fresh) return undefined;
        return Object.fromEntries(targets.map((t) => [t.labels.job, t.health]));
      },
      { what: 'a fresh scrape of both targets' },
    );
  }

  /** Compose finds each service's replicas by DNS; here one process of each runs on loopback. */
  function onLoopback(config: string, service: string, port: number, localPort: number): string {
    const replicas = new RegExp(
      String.raw`dns_sd_configs:\n\s+- names: \['${service}'\]\n\s+type: A\n\s+port: ${port}`,
    );
    if (!replicas.test(config)) throw new Error(`No DNS discovery of ${service} in prometheus.yml`);
    return config.replace(replicas, `static_configs:\n      - targets: ['127.0.0.1:${localPort}']`);
  }

  beforeAll(async () => {
    if (!installed) throw new Error(MISSING);
    // The API asks for the token; the worker runs without one, as when METRICS_TOKEN is unset.
    stack = await startTestStack('scrape', {
      worker: false,
      api: { security: { ...loadConfig().security, metricsToken: TOKEN } },
    });
    worker = await startWorkerProcess(stack, { WORKER_METRICS_HOST: '0.0.0.0' });
    await worker.ready;
    workerPort = Number(new URL(worker.metricsUrl).port);

    dir = mkdtempSync(path.join(os.tmpdir(), 'zen-prometheus-'));
    tokenFile = path.join(dir, 'metrics-token');
    writeFileSync(tokenFile, TOKEN);
    copyFileSync(path.join(prometheusDir, 'alerts.yml'), path.join(dir, 'alerts.yml'));
    const compose = readFileSync(path.join(prometheusDir, 'prometheus.yml'), 'utf8')
      .replaceAll('15s', '1s')
      .replaceAll('/run/zen/metrics-token', tokenFile);
    const config = onLoopback(
      onLoopback(compose, 'api', 4000, Number(new URL(stack.apiUrl).port)),
      'worker',
      9464,
      workerPort,
    );
    writeFileSync(path.join(dir, 'prometheus.yml'), config);
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    );
    await eventually(async () => (await fetch(`${promUrl}/-/ready`).catch(() => null))?.ok, {
      what: 'Prometheus to be ready',
    });
  }, 120_000);

  afterAll(async () => {
    if (prometheus?.exitCode === null) await killProcess(prometheus);
    if (worker?.child.exitCode === null) await killProcess(worker.child);
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('scrapes the api and the worker with the metrics token', async () => {
    expect(await upAfter(Date.now() / 1000)).toEqual({ 'zen-api': 'up', 'zen-worker': 'up' });
    // The worker's own counters, served at 0 before any breach, and the API's request timings.
    const breaches = await query('zen_sla_breaches_total{job="zen-worker"}');
    expect(breaches.map((s) => s.metric.kind).sort()).toEqual(['first_response', 'resolution']);
    await fetch(`${stack.apiUrl}/api/health`);
    await eventually(
      async () => (await query('zen_http_request_duration_seconds_count{job="zen-api"}')).length,
      { what: "the API's request timings in Prometheus" },
    );
  });

  test('loads the alert and recording rules, and evaluates them without errors', async () => {
    const rules = await eventually(
      async () => {
        const res = await fetch(`${promUrl}/api/v1/rules`);
        const { data } = (await res.json()) as {
          data: { groups: { name: string; rules: { health: string; lastError?: string }[] }[] };
        };
        const evaluated = data.groups.flatMap((g) => g.rules);
        return evaluated.every((r) => r.health !== 'unknown') ? data.groups : undefined;
      },
      { what: 'every rule evaluated once' },
    );
    expect(rules.map((g) => g.name)).toEqual(['zen-recorded', 'zen-service', 'zen-support']);
    expect(rules.flatMap((g) => g.rules).filter((r) => r.health !== 'ok')).toEqual([]);
  });

  test('counts the api down without its token; the worker, asking for none, stays up', async () => {
    // Empty, as compose writes it when METRICS_TOKEN is unset: the guarded API refuses the
    // scrape, the worker (which asks for no token) still answers.
    writeFileSync(tokenFile, '');
    expect(await upAfter(Date.now() / 1000)).toEqual({ 'zen-api': 'down', 'zen-worker': 'up' });
    writeFileSync(tokenFile, TOKEN);
    expect(await upAfter(Date.now() / 1000)).toEqual({ 'zen-api': 'up', 'zen-worker': 'up' });
  });

  test('reaches the worker on every address when WORKER_METRICS_HOST is 0.0.0.0', () => {
    const listening = spawnSync('ss', ['-Hltn', `sport = :${workerPort}`], { encoding: 'utf8' });
    expect(listening.stdout).toMatch(new RegExp(`(0\\.0\\.0\\.0|\\*|\\[::\\]):${workerPort}\\b`));
  });
});
