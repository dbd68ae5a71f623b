import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROMTOOL_MISSING, prometheusDir, promtoolInstalled, yamlValues } from './promql';

// The alert rules (observability/prometheus) checked and unit-tested by Prometheus' own
// promtool: alerts.test.yml feeds each alert synthetic series where it fires and where it
// must not.

const run = promisify(execFile);
const inCi = process.env.CI === 'true';
if (!promtoolInstalled && !inCi) console.warn(`Skipping the alert rule tests. ${PROMTOOL_MISSING}`);
// In CI a missing promtool fails every test below instead of silently skipping them.
const describeRules = promtoolInstalled || inCi ? describe : describe.skip;

interface Outcome {
  code: number;
  output: string;
}

async function promtool(cwd: string, ...args: string[]): Promise<Outcome> {
  if (!promtoolInstalled) throw new Error(PROMTOOL_MISSING);
  try {
    const { stdout, stderr } = await run('promtool', args, { cwd });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

/** A scratch copy of the rule files, for the runs that change or add files. */
function scratchCopy(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'zen-rules-'));
  for (const file of ['alerts.yml', 'alerts.test.yml', 'prometheus.yml']) {
    copyFileSync(path.join(prometheusDir, file), path.join(dir, file));
  }
  return dir;
}

const read = (file: string) => readFileSync(path.join(prometheusDir, file), 'utf8');

describeRules('alert rules (promtool)', () => {
  const scratch: string[] = [];
  afterAll(() => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  const copy = () => {
    const dir = scratchCopy();
    scratch.push(dir);
    return dir;
  };

  test('pass `promtool check rules`', async () => {
    const { code, output } = await promtool(prometheusDir, 'check', 'rules', 'alerts.yml');
    expect(output).toMatch(/SUCCESS: \d+ rules found/);
    expect(code).toBe(0);
  });

  test('pass their unit tests, `promtool test rules alerts.test.yml`', async () => {
    const { code, output } = await promtool(prometheusDir, 'test', 'rules', 'alerts.test.yml');
    expect(output).toMatch(/SUCCESS/);
    expect(output).not.toMatch(/FAILED/);
    expect(code).toBe(0);
  });

  test('fail their unit tests when a threshold moves', async () => {
    // The resolution-time target at 50 minutes: the 40-minute median no longer fires.
    const dir = copy();
    const rules = path.join(dir, 'alerts.yml');
    writeFileSync(rules, readFileSync(rules, 'utf8').replace('> 1800', '> 3000'));
    const { code, output } = await promtool(dir, 'test', 'rules', 'alerts.test.yml');
    expect(output).toMatch(/FAILED[\s\S]*alertname: ZenResolutionTimeAboveTarget/);
    expect(code).toBe(1);
  });

  test('load from the Prometheus config (`promtool check config`)', async () => {
    // The scrape token file exists only inside the compose container: point at a scratch one.
    const dir = copy();
    const config = path.join(dir, 'prometheus.yml');
    const token = path.join(dir, 'metrics-token');
    writeFileSync(token, '');
    const text = readFileSync(config, 'utf8');
    expect(text).toContain('credentials_file: /run/zen/metrics-token');
    writeFileSync(config, text.replaceAll('/run/zen/metrics-token', token));
    const { code, output } = await promtool(dir, 'check', 'config', 'prometheus.yml');
    expect(output).toMatch(/SUCCESS: 1 rule files found/);
    expect(code).toBe(0);
  });

  test('each alert has a for:, a severity, a summary and a description in plain words', () => {
    const alerts = read('alerts.yml')
      .split(/^\s*- alert: /m)
      .slice(1);
    expect(alerts.length).toBeGreaterThanOrEqual(8);
    const incomplete = alerts
      .filter(
        (rule) =>
          !/^\s+for: \d+[smh]$/m.test(rule) ||
          !/^\s+severity: (critical|warning)$/m.test(rule) ||
          !/^\s+summary: /m.test(rule) ||
          !/^\s+description: /m.test(rule),
      )
      .map((rule) => rule.split('\n')[0]);
    expect(incomplete).toEqual([]);
  });

  test('each alert is tested both firing and staying quiet', () => {
    const alerts = yamlValues(read('alerts.yml'), 'alert');
    const cases = read('alerts.test.yml')
      .split(/^\s*- eval_time: /m)
      .slice(1);
    const tested = (quiet: boolean) =>
      new Set(
        cases
          .filter((c) => /exp_alerts: \[\]/.test(c) === quiet)
          .map((c) => /alertname: (\S+)/.exec(c)?.[1]),
      );
    const [firing, silent] = [tested(false), tested(true)];
    expect(alerts.filter((name) => !firing.has(name))).toEqual([]);
    expect(alerts.filter((name) => !silent.has(name))).toEqual([]);
  });
});
