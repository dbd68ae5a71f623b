import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../../temporal-config/process';
import { temporalAddress, temporalNamespace } from './env';
import { workerNodeArgs } from '../../workers/nodeFlags';
import type { TestStack } from './stack';

// The worker as a real process (workers/main.ts) against a test stack.

const root = path.resolve(__dirname, '..', '..');

export interface WorkerProcess {
  child: ChildProcess;
  ready: Promise<void>;
  metricsUrl: string;
  /** Everything it printed so far. */
  output(): string;
}

export async function startWorkerProcess(
  stack: TestStack,
  /** More of the worker's environment, e.g. the notifier's stand-ins (stack.notifier.env). */
  env: Record<string, string> = {},
): Promise<WorkerProcess> {
  const metricsPort = await freePort();
  const child = spawn(process.execPath, workerNodeArgs(), {
    cwd: root,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: temporalAddress(),
      TEMPORAL_NAMESPACE: temporalNamespace(),
      TEMPORAL_TASK_QUEUE: stack.taskQueue,
      MONGO_URL: stack.mongoUrl,
      API_URL: stack.apiUrl,
      INTERNAL_API_TOKEN: stack.internalToken,
      WORKER_METRICS_PORT: String(metricsPort),
      TEMPORAL_SDK_METRICS_PORT: String(await freePort()),
      LOG_LEVEL: 'info',
      // No notifier channel unless the test gives one (a mail sink of the test's is for codes).
      SMTP_URL: '',
      SMS_FROM_NUMBER: '',
      SLACK_WEBHOOK_URL: '',
      PAGERDUTY_ROUTING_KEY: '',
      ...env,
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
  // Unhandled until awaited: a test that kills the worker first does not want the rejection.
  ready.catch(() => {});
  return {
    child,
    ready,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    output: () => output,
  };
}

export function killProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
