import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { scenarioNames, scenarios } from '../../agent/simulator/scenarios';
import { Case } from '../../store/models';
import { startTestStack, type TestStack } from '../support/stack';

// `npm run demo` for every scenario, against a running stack.

const run = promisify(execFile);
const root = path.resolve(__dirname, '..', '..');

describe('npm run demo', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('demo');
  });
  afterAll(() => stack.stop());

  const demo = (args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', ...args], {
      cwd: root,
      env: { ...process.env, API_URL: stack.apiUrl, DATA_DIR: stack.dataDir },
    });

  it.each(scenarioNames)(
    '%s ends as the scenario expects',
    async (name) => {
      const { stdout } = await demo(['--scenario', name, '--json']);
      const summary = JSON.parse(stdout.trim().split('\n').at(-1)!);
      const expected = scenarios[name];
      expect(summary).toMatchObject({
        status: expected.expectedStatus,
        action: expected.expectedAction ?? null,
        workflowId: expect.stringMatching(/^support-case-pi-demo-/),
      });
      expect(summary.durationMs).toBeGreaterThan(0);
      expect(summary.diagnosis).toEqual(expect.any(String));
      const doc = await Case.findById(summary.caseId).lean();
      expect(doc).toMatchObject({
        status: expected.expectedStatus,
        issueCategory: expected.expectedCategory,
      });
    },
    60_000,
  );

  it('prints the timeline for a person', async () => {
    const { stdout } = await demo(['--scenario', 'gateway-unreachable']);
    expect(stdout).toContain('Scenario gateway-unreachable');
    expect(stdout).toContain('Expected: resolved by power_cycle_router.');
    expect(stdout).toMatch(
      /awaiting_approval\s+Proposed fix: Power-cycle the router through its smart plug/,
    );
    expect(stdout).toContain('→ approved');
    expect(stdout).toContain('Result: resolved');
    expect(stdout).toContain('As expected for this scenario.');
  }, 60_000);

  it('refuses an unknown scenario with the list of valid ones', async () => {
    await expect(demo(['--scenario', 'no-such'])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('healthy'),
    });
  });
});
