import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { Advice } from '../../contracts/advice';
import { createAdvisor } from '../../activities/advisor/engine';
import { evaluateAdvisor } from '../../activities/advisor/evaluate';
import { offlineAdvice } from '../../activities/advisor/offline';
import { DATA_CLOSE, DATA_OPEN } from '../../activities/advisor/prompt';
import { scenarioNames } from '../../agent/simulator/scenarios';
import { startAnthropicStandIn, type AnthropicStandIn } from '../stand-ins/anthropic';

// `npm run eval`: the advisor over every simulated scenario.

const root = path.resolve(__dirname, '..', '..');

function runEval(args: string[]) {
  const env = { ...process.env };
  delete env.ANTHROPIC_API_KEY;
  return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/eval.ts', ...args], {
    cwd: root,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('npm run eval with the offline engine', () => {
  it('prints a table per scenario and 100 % accuracy', () => {
    const run = runEval([]);
    expect(run.status).toBe(0);
    for (const name of scenarioNames) expect(run.stdout).toMatch(new RegExp(`^${name}\\s+ok`, 'm'));
    expect(run.stdout).toContain('offline expert engine');
    const all = scenarioNames.length;
    expect(run.stdout).toContain(`Overall accuracy: 100.0 % (${all}/${all})`);
  });

  it('prints JSON with --json', () => {
    const run = runEval(['--json']);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout.trim().split('\n').pop()!);
    expect(report).toMatchObject({
      accuracy: 1,
      diagnosisAccuracy: 1,
      actionAccuracy: 1,
      escalationAccuracy: 1,
    });
    expect(report.scenarios).toHaveLength(scenarioNames.length);
    expect(report.scenarios[0]).toMatchObject({
      scenario: 'healthy',
      diagnosisOk: true,
      actionOk: true,
      escalationOk: true,
      correct: true,
    });
  });
});

describe('the evaluation of the Claude engine against the stand-in', () => {
  let standIn: AnthropicStandIn;
  const claude = () => ({
    apiKey: 'sk-test',
    baseURL: standIn.url,
    model: 'claude-eval',
    maxTokens: 1024,
    timeoutMs: 5000,
  });

  beforeAll(async () => {
    standIn = await startAnthropicStandIn();
  });
  afterAll(() => standIn.close());
  beforeEach(() => standIn.reset());

  it('scores a model that reasons like the expert rules at 100 %, all answered by Claude', async () => {
    standIn.setHandler((request) => {
      const text: string = request.body.messages[0].content;
      const data = JSON.parse(
        text.slice(text.indexOf(DATA_OPEN) + DATA_OPEN.length, text.indexOf(DATA_CLOSE)),
      );
      return { kind: 'tool', input: offlineAdvice({ caseId: 'x', ...data }) };
    });
    const report = await evaluateAdvisor(createAdvisor({ claude: claude() }));
    expect(report.accuracy).toBe(1);
    expect(new Set(report.scenarios.flatMap((s) => s.engines))).toEqual(new Set(['claude']));
  });

  it('still scores 100 % when every call fails, through the fallback', async () => {
    standIn.setHandler(() => ({ kind: 'error', status: 529, type: 'overloaded_error' }));
    const report = await evaluateAdvisor(createAdvisor({ claude: claude() }));
    expect(report.accuracy).toBe(1);
    expect(new Set(report.scenarios.flatMap((s) => s.engines))).toEqual(
      new Set(['offline-fallback']),
    );
  });

  it('marks a wrong answer as wrong', async () => {
    standIn.setHandler(() => ({
      kind: 'tool',
      input: {
        kind: 'escalate',
        issueCategory: 'unknown',
        diagnosis: 'Not sure.',
        instructions: 'A technician will call.',
        rationale: 'Guessing.',
      },
    }));
    const report = await evaluateAdvisor(createAdvisor({ claude: claude() }), [
      'gateway-unreachable',
    ]);
    expect(report.accuracy).toBe(0);
    expect(report.scenarios[0]).toMatchObject({
      diagnosisOk: false,
      actionOk: false,
      escalationOk: false,
    });
  });

  it('counts false "healthy" answers and unjustified fixes of an advisor without the guard', async () => {
    const healthy: Advice = { kind: 'healthy', diagnosis: 'Fine.', rationale: 'Looks fine.' };
    const blind = await evaluateAdvisor(async () => healthy, ['dns-failure', 'healthy']);
    expect(blind.scenarios.map((s) => [s.falseHealthy, s.correct])).toEqual([
      [1, false],
      [0, true],
    ]);
    expect(blind.falseHealthy).toBe(1);

    const modem: Advice = {
      kind: 'remediate',
      action: 'power_cycle_modem',
      params: { offSeconds: 10 },
      issueCategory: 'gateway',
      diagnosis: 'The router.',
      rationale: 'Guessing.',
    };
    const guessing = await evaluateAdvisor(async () => modem, ['gateway-unreachable']);
    expect(guessing.unjustifiedFixes).toBeGreaterThan(0);
    expect(guessing.accuracy).toBe(0);
  });

  it('after a fix of the box alone, a fault of the office is not healthy', async () => {
    const fallbackThenHealthy = createAdvisor();
    const report = await evaluateAdvisor(fallbackThenHealthy, ['dns-failure']);
    expect(report.scenarios[0]).toMatchObject({
      actual: { category: 'dns', action: 'switch_dns_fallback', escalated: true },
      falseHealthy: 0,
      correct: true,
    });
  });
});
