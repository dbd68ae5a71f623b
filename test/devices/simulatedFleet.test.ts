import { spawn } from 'node:child_process';
import path from 'node:path';
import { Device } from '../../store/models';
import { eventually, startTestStack, type TestStack } from '../support/stack';
import { seedOtherTenant } from '../support/tenants';
import { killProcess } from '../support/workerProcess';

// `agent/main.ts --simulate a,b`: several simulated Zen boxes in one process,
// one scenario and one token each, all connected to the API.

const root = path.resolve(__dirname, '..', '..');

describe('several simulated devices in one agent process', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('fleet', { worker: false });
  });
  afterAll(() => stack?.stop());

  const run = (scenarios: string, tokens: string) => {
    let output = '';
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'agent/main.ts', '--simulate', scenarios],
      {
        cwd: root,
        env: { ...process.env, ZEN_API_URL: stack.apiUrl, ZEN_DEVICE_TOKEN: tokens },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    return { child, output: () => output };
  };

  it('connects every device with its own token', async () => {
    const other = await seedOtherTenant();
    const agent = run('healthy,dns-failure', `${stack.demo.device.token},${other.deviceToken}`);
    try {
      await eventually(
        async () => {
          const ids = [stack.demo.device.deviceId, other.deviceId];
          const devices = await Device.find({ status: 'online' }, { deviceId: 1 }).lean();
          const online = devices.filter((d) => ids.includes(d.deviceId)).length;
          return online === 2;
        },
        { what: 'both simulated devices online', timeoutMs: 30_000 },
      ).catch((err: Error) => {
        throw new Error(`${err.message}\n${agent.output()}`);
      });
    } finally {
      await killProcess(agent.child);
    }
  });

  it('refuses a count of tokens that does not match the scenarios', async () => {
    const agent = run('healthy,dns-failure', stack.demo.device.token);
    const code = await new Promise<number | null>((resolve) => agent.child.on('exit', resolve));
    expect(code).toBe(2);
    expect(agent.output()).toContain('names 2 scenario(s) but ZEN_DEVICE_TOKEN holds 1 token(s)');
  });
});
