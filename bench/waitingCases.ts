import os from 'node:os';
import { caseWorkflowId } from '../workflows/messages';
import { startCaseDriver } from '../test/support/caseDriver';
import { connectFleet, seedFleet } from '../test/support/fleet';
import { memoryOf } from '../test/support/processStack';
import { withBenchStack } from './stack';
import { crashLines, round } from './stats';

// Many open cases at once, each waiting for its customer's approval (the
// common state of a busy day): the worker's memory with all of them open.

export const waitingTargets = { workerRssMb: 1024 };

export interface WaitingCasesResult {
  section: 'waiting-cases';
  cases: number;
  /** How long opening them all until each waited for approval took. */
  secondsToAllWaiting: number;
  workerRssMb: { now: number; peak: number; target: number };
  apiRssMb: { now: number; peak: number };
  loadAverage: { before: number; after: number };
  /** Each time the API process died during the run (it was restarted): a finding, never ok. */
  apiCrashes: string[];
  ok: boolean;
}

/** Runs `task` over `items`, at most `limit` at a time. */
async function pooled<T>(items: T[], limit: number, task: (item: T) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await task(items[next++]!);
    }),
  );
}

export async function measureWaitingCases({
  cases = 1000,
  log = (line: string) => console.error(line),
} = {}): Promise<WaitingCasesResult> {
  const loadBefore = round(os.loadavg()[0]!, 2);
  return withBenchStack(
    'waiting',
    async (stack) => {
      const devices = await seedFleet(stack.demo, cases);
      log(`connecting ${cases} simulated devices...`);
      const agents = await connectFleet(stack.apiUrl, devices, 'modem-hung');
      const driver = await startCaseDriver({
        apiUrl: stack.apiUrl,
        customerToken: stack.demo.customer.token,
        approve: false,
        sweepMs: 5000,
        log,
      });
      try {
        log(`opening ${cases} cases (50 at a time) and waiting until each waits for approval...`);
        const started = Date.now();
        let opened = 0;
        const progress = setInterval(() => log(`  ${opened} opened`), 15_000);
        try {
          await pooled(devices, 50, async (d) => {
            await driver.open(d.deviceId);
            opened++;
          });
          await driver.waiting(cases, Math.max(300_000, cases * 2000));
        } finally {
          clearInterval(progress);
        }
        const secondsToAllWaiting = round((Date.now() - started) / 1000);
        // A moment for anything still settling after the last proposal.
        await new Promise((r) => setTimeout(r, 5000));
        const worker = memoryOf(stack.product.worker.pid());
        const api = memoryOf(stack.product.api.pid());
        const result: WaitingCasesResult = {
          section: 'waiting-cases',
          cases,
          secondsToAllWaiting,
          workerRssMb: {
            now: round(worker.rssMb),
            peak: round(worker.peakRssMb),
            target: waitingTargets.workerRssMb,
          },
          apiRssMb: { now: round(api.rssMb), peak: round(api.peakRssMb) },
          loadAverage: { before: loadBefore, after: round(os.loadavg()[0]!, 2) },
          apiCrashes: stack.apiCrashes,
          ok: stack.apiCrashes.length === 0 && worker.peakRssMb < waitingTargets.workerRssMb,
        };
        // On a running server the cases would wait for 20 minutes: end them.
        if (!stack.servers) {
          await pooled(devices, 20, (d) =>
            stack.client.workflow
              .getHandle(caseWorkflowId(d.deviceId))
              .terminate('bench finished')
              .catch(() => undefined),
          );
        }
        return result;
      } finally {
        driver.stop();
        for (const agent of agents) agent.stop();
      }
    },
    { log },
  );
}

export function formatWaitingCases(r: WaitingCasesResult): string {
  const mark = (ok: boolean) => (ok ? 'ok' : 'OVER TARGET');
  return [
    `Waiting cases (${r.cases} open cases, each waiting for approval; all waiting after ${r.secondsToAllWaiting} s)`,
    `  worker RSS        ${r.workerRssMb.now} MB now, ${r.workerRssMb.peak} MB peak   target < ${r.workerRssMb.target} MB   ${mark(r.workerRssMb.peak < r.workerRssMb.target)}`,
    `  API RSS           ${r.apiRssMb.now} MB now, ${r.apiRssMb.peak} MB peak`,
    ...crashLines(r.apiCrashes),
    `  load average      ${r.loadAverage.before} before, ${r.loadAverage.after} after (1 min, 2 cores)`,
  ].join('\n');
}
