import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { AuditEntry } from '../../store/models';
import { verifyChain } from '../../store/audit';
import { approve, connectDevice, openDemoCase, waitForStatus } from '../support/cases';
import { temporalAddress, temporalNamespace } from '../support/env';
import { eventually, startTestStack, type TestStack } from '../support/stack';

// The worker as a real process, killed with SIGKILL mid-case and started again.

const root = path.resolve(__dirname, '..', '..');

function startWorkerProcess(stack: TestStack): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: temporalAddress(),
      TEMPORAL_NAMESPACE: temporalNamespace(),
      TEMPORAL_TASK_QUEUE: stack.taskQueue,
      MONGO_URL: stack.mongoUrl,
      API_URL: stack.apiUrl,
      INTERNAL_API_TOKEN: stack.internalToken,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.includes('worker polling')) resolve();
    });
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => reject(new Error(`worker exited (${code}): ${output}`)));
  });
  return { child, ready };
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('a worker killed mid-case', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('crash', { worker: false });
  });
  afterAll(() => stack.stop());

  it('the case completes after a restart and nothing runs twice', async () => {
    const device = connectDevice(stack, 'modem-hung');
    let worker = startWorkerProcess(stack);
    try {
      await worker.ready;
      const { caseId, handle } = await openDemoCase(stack);
      const waiting = await waitForStatus(handle, 'awaiting_approval', 60_000);

      // Approved, and the worker dies right after: the fix has not gone out yet.
      expect((await approve(stack, caseId, waiting.proposal!.actionId)).status).toBe(200);
      await kill(worker.child);
      worker = startWorkerProcess(stack);
      await worker.ready;

      // Second crash once the fix is on its way to the device.
      await eventually(() => AuditEntry.exists({ caseId, actionType: 'fix_started' }), {
        timeoutMs: 30_000,
        what: 'the fix to start',
      });
      await kill(worker.child);
      worker = startWorkerProcess(stack);
      await worker.ready;

      const final = await handle.result();
      expect(final.status).toBe('resolved');
      expect(device.network.applied.map((a) => a.action)).toEqual(['power_cycle_modem']);
      const entries = await AuditEntry.find({ caseId }).sort({ seq: 1 }).lean();
      expect(entries.filter((e) => e.actionType === 'fix_done')).toHaveLength(1);
      expect(await verifyChain(caseId)).toMatchObject({ valid: true, entries: entries.length });
    } finally {
      device.stop();
      if (worker.child.exitCode === null) await kill(worker.child);
    }
  }, 180_000);
});
