import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { scenarioNames, scenarios } from '../../agent/simulator/scenarios';
import { closedStatuses } from '../../contracts/case';
import { Case, Device } from '../../store/models';
import { call, eventually, startTestStack, type TestStack } from '../support/stack';

// `npm run demo` for every scenario, against a running stack.

const run = promisify(execFile);
const root = path.resolve(__dirname, '..', '..');

describe('npm run demo', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('demo');
  });
  afterAll(() => stack.stop());

  const env = () => ({
    ...process.env,
    API_URL: stack.apiUrl,
    DATA_DIR: stack.dataDir,
    MONGO_URL: stack.mongoUrl,
  });
  const demo = (args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', ...args], {
      cwd: root,
      env: env(),
    });
  /** The customer's boxes, as their portal lists them. */
  const listedBoxes = async () =>
    (await call(`${stack.apiUrl}/api/devices`, stack.demo.customer.token)).body.devices.map(
      (d: { deviceId: string }) => d.deviceId,
    );

  it.each(scenarioNames)(
    '%s ends as the scenario expects',
    async (name) => {
      const { stdout } = await demo(['--scenario', name, '--json']);
      const summary = JSON.parse(stdout.trim().split('\n').at(-1)!);
      const expected = scenarios[name];
      expect(summary).toMatchObject({
        status: expected.expectedStatus,
        action: expected.expectedAction ?? null,
        workflowId: `support-case-pi-demo-${name}`,
      });
      expect(summary.durationMs).toBeGreaterThan(0);
      expect(summary.diagnosis).toEqual(expect.any(String));
      const doc = await Case.findById(summary.caseId).lean();
      expect(doc).toMatchObject({
        status: expected.expectedStatus,
        issueCategory: expected.expectedCategory,
      });
      // The run's box is gone from the customer's list; only the demo tenant's own box stays.
      expect(await listedBoxes()).toEqual([stack.demo.device.deviceId]);
    },
    60_000,
  );

  it('takes over the box a killed run left, and removes it when it ends', async () => {
    const left = await call(`${stack.apiUrl}/api/device/register`, stack.demo.customer.token, {
      body: { deviceId: 'pi-demo-link-down', serialNumber: 'SIM-pi-demo-link-down' },
    });
    expect(left.status).toBe(201);
    const { stdout } = await demo(['--scenario', 'link-down', '--json']);
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toMatchObject({ status: 'escalated' });
    expect(await Device.exists({ deviceId: 'pi-demo-link-down' })).toBeNull();
  }, 60_000);

  it('on Ctrl-C closes the case it opened and removes its box', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/demo.ts', '--scenario', 'modem-hung'],
      { cwd: root, env: env(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const caseId = await eventually(async () => output.match(/^Case (\S+) /m)?.[1], {
      what: 'the demo to open its case',
    });
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(output).toContain('Stopped: closing the demo case and removing its box.');
    expect(await Device.exists({ deviceId: 'pi-demo-modem-hung' })).toBeNull();
    await eventually(
      async () => {
        const doc = await Case.findById(caseId).lean();
        return doc && closedStatuses.includes(doc.status as (typeof closedStatuses)[number]);
      },
      { what: 'the stopped demo case to close' },
    );
  }, 60_000);

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
