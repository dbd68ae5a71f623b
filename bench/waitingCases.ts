import os from 'node:os';
import { caseWorkflowId } from '../workflows/messages';
import { startCaseDriver } from '../test/support/caseDriver';
import { connectFleet, seedFleet } from '../test/support/fleet';
import { memoryOf } from '../test/support/processStack';
import { shapeNote, type Shape } from './shapes';
import { memoryOfAll, withBenchStack } from './stack';
import { crashLines, formatSpread, round, spread, type Spread } from './stats';

// Many open cases at once, each waiting for its customer's approval (the
// common state of a busy day): the worker's memory with all of them open, and
// how fast an approval still reaches its box while the rest wait.

export const waitingTargets = { workerRssMb: 1024, approvalToFixP99Ms: 300 };

export interface WaitingCasesResult {
  section: 'waiting-cases';
  shape: Shape;
  cases: number;
  /** The boxes connected to the API instances themselves, half each, not through HAProxy. */
  direct: boolean;
  /** How long opening them all until each waited for approval took. */
  secondsToAllWaiting: number;
  /** Summed over the workers (each one's figures in `eachWorkerRssMb`). */
  workerRssMb: { now: number; peak: number; target: number };
  eachWorkerRssMb: { now: number; peak: number }[];
  apiRssMb: { now: number; peak: number };
  /**
   * A sample of the waiting cases approved one after another, the rest still waiting: the
   * approve call, and from its answer until the box receives the fix.
   */
  approvals: { approveCall: Spread; approvalToFix: Spread & { target: number }; failed: number };
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

/** How long opening `cases` cases may take before the run gives up. */
function openingLimitMs(cases: number): number {
  return Math.max(300_000, cases * 2000);
}

/** A customer approves the fix a case proposes, through the public API, as the portal does. */
async function approveCase(apiUrl: string, token: string, caseId: string): Promise<void> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const live = await fetch(`${apiUrl}/api/cases/${caseId}`, { headers });
  const body = (await live.json()) as { live?: { proposal?: { actionId?: string } } };
  const actionId = body.live?.proposal?.actionId;
  if (!actionId) throw new Error(`no proposal in the live state (${live.status})`);
  const res = await fetch(`${apiUrl}/api/remediation/approve`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ sessionId: caseId, actionId, approved: true }),
  });
  if (res.status !== 200) throw new Error(`approve answered ${res.status}: ${await res.text()}`);
}

export async function measureWaitingCases({
  cases = 1000,
  approvals = 200,
  shape = 'dev' as Shape,
  direct = false,
  log = (line: string) => console.error(line),
} = {}): Promise<WaitingCasesResult> {
  const loadBefore = round(os.loadavg()[0]!, 2);
  return withBenchStack(
    'waiting',
    async (stack) => {
      const devices = await seedFleet(stack.demo, cases);
      // One HAProxy holds two open files a box: --direct spreads the boxes over the instances
      // themselves, for more boxes than the open-file limit lets HAProxy carry. The customer
      // still goes through HAProxy.
      const targets = direct ? stack.apiUrls : [stack.apiUrl];
      log(`connecting ${cases} simulated devices to ${targets.join(' and ')}...`);
      const fixReceived = new Map<string, number>();
      const agents = await connectFleet(targets, devices, 'modem-hung', {
        onCommand: (command) => {
          if (command.kind === 'remediate') fixReceived.set(command.caseId, performance.now());
        },
      });
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
          await driver.waiting(cases, openingLimitMs(cases));
        } finally {
          clearInterval(progress);
        }
        const secondsToAllWaiting = round((Date.now() - started) / 1000);
        // A moment for anything still settling after the last proposal.
        await new Promise((r) => setTimeout(r, 5000));
        const eachWorker = stack.workers.map((w) => memoryOf(w.pid()));
        const worker = memoryOfAll(stack.workers);
        const api = memoryOfAll(stack.apis);
        const sample = [...driver.byId.values()].slice(0, Math.min(approvals, cases));
        log(`approving ${sample.length} of them, one after another, the rest still waiting...`);
        const calls: number[] = [];
        const answered = new Map<string, number>();
        let failed = 0;
        for (const t of sample) {
          const sent = performance.now();
          try {
            await approveCase(stack.apiUrl, stack.demo.customer.token, t.caseId);
            answered.set(t.caseId, performance.now());
            calls.push(performance.now() - sent);
          } catch (err) {
            failed++;
            log(`approving ${t.caseId} failed: ${(err as Error).message}`);
          }
        }
        const deadline = Date.now() + 10_000;
        while ([...answered.keys()].some((id) => !fixReceived.has(id)) && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
        }
        const toFix = [...answered].flatMap(([id, at]) => {
          const got = fixReceived.get(id);
          return got === undefined ? [] : [Math.max(0, got - at)];
        });
        failed += answered.size - toFix.length;
        const approvalToFix = { ...spread(toFix), target: waitingTargets.approvalToFixP99Ms };
        const result: WaitingCasesResult = {
          section: 'waiting-cases',
          shape,
          cases,
          direct,
          secondsToAllWaiting,
          workerRssMb: {
            now: round(worker.rssMb),
            peak: round(worker.peakRssMb),
            target: waitingTargets.workerRssMb * stack.workers.length,
          },
          eachWorkerRssMb: eachWorker.map((m) => ({
            now: round(m.rssMb),
            peak: round(m.peakRssMb),
          })),
          apiRssMb: { now: round(api.rssMb), peak: round(api.peakRssMb) },
          approvals: { approveCall: spread(calls), approvalToFix, failed },
          loadAverage: { before: loadBefore, after: round(os.loadavg()[0]!, 2) },
          apiCrashes: stack.apiCrashes,
          ok:
            stack.apiCrashes.length === 0 &&
            eachWorker.every((m) => m.peakRssMb < waitingTargets.workerRssMb) &&
            failed === 0 &&
            (approvalToFix.p99 ?? Infinity) < approvalToFix.target,
        };
        // On a running server the cases would wait for 20 minutes: end them.
        if (Object.keys(stack.servers).length === 0) {
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
    {
      log,
      shape,
      // The first cases must still wait when the last is opened, not be reminded and escalated
      // (after 15 + 5 minutes by default): their approval waits outlast the whole opening.
      env: {
        CASE_APPROVAL_TIMEOUT_MINUTES: String(Math.ceil(openingLimitMs(cases) / 60_000) + 15),
      },
    },
  );
}

export function formatWaitingCases(r: WaitingCasesResult): string {
  const mark = (ok: boolean) => (ok ? 'ok' : 'OVER TARGET');
  const a = r.approvals;
  const workers =
    r.eachWorkerRssMb.length > 1
      ? ` (each: ${r.eachWorkerRssMb.map((m) => `${m.now} MB now, ${m.peak} MB peak`).join('; ')})`
      : '';
  const eachUnder = r.eachWorkerRssMb.every((m) => m.peak < waitingTargets.workerRssMb);
  return [
    `Waiting cases${shapeNote(r.shape)} (${r.cases} open cases, each waiting for approval${r.direct ? '; the boxes straight to the API instances, half each' : ''}; all waiting after ${r.secondsToAllWaiting} s)`,
    `  worker RSS        ${r.workerRssMb.now} MB now, ${r.workerRssMb.peak} MB peak${workers}   target < ${waitingTargets.workerRssMb} MB a worker   ${mark(eachUnder)}`,
    `  API RSS           ${r.apiRssMb.now} MB now, ${r.apiRssMb.peak} MB peak`,
    `  approve call      ${formatSpread(a.approveCall)}`,
    `  approval -> fix reaches the box   ${formatSpread(a.approvalToFix)}   target p99 < ${a.approvalToFix.target} ms   ${mark((a.approvalToFix.p99 ?? Infinity) < a.approvalToFix.target && a.failed === 0)}${a.failed ? `   ${a.failed} FAILED` : ''}`,
    ...crashLines(r.apiCrashes),
    `  load average      ${r.loadAverage.before} before, ${r.loadAverage.after} after (1 min, 2 cores)`,
  ].join('\n');
}
