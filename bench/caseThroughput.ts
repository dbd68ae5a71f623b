import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { caseWorkflowId, decideRemediationUpdate } from '../workflows/messages';
import { startCaseDriver, type CaseTimes } from '../test/support/caseDriver';
import { connectFleet, seedFleet } from '../test/support/fleet';
import { memoryOf, startNodeWorker } from '../test/support/processStack';
import { baselineApproveUpdate, baselineCase, type BaselinePlan } from './baselineWorkflow';
import { benchSettleSeconds, withBenchStack, type BenchStack } from './stack';
import { formatSpread, round, spread, type Spread } from './stats';

// N support cases at once, end to end: simulated Zen boxes with a hung modem,
// opened and approved through the public API by a customer watching the
// portal's live view. Then, on the same server, N baseline workflows with the
// same round trips and activities that do nothing. Throughput of each, their
// ratio, the stage latencies, and the worker's and the API's peak memory.

export const caseTargets = { ratio: 0.7, approvalToFixP99Ms: 300 };

const scenario = 'modem-hung';

export interface CaseThroughputResult {
  section: 'case-throughput';
  cases: number;
  scenario: string;
  settleAfterFixSeconds: number;
  outcomes: Record<string, number>;
  casesPerMinute: number;
  baselinePerMinute: number;
  ratio: { value: number; target: number };
  /** Round trips of one case, copied by the baseline. */
  plan: { activities: number; timers: number; approvals: number };
  stagesMs: {
    openToFirstDiagnostics: Spread;
    /** The approve call itself (HTTP request to answer). */
    approveCall: Spread;
    /** From the approve call's answer to the device receiving the remediate command. */
    approvalToFixStart: Spread & { target: number };
    wholeCase: Spread;
    baselineWholeCase: Spread;
  };
  peakRssMb: { worker: number; api: number; baselineWorker: number };
  /** 1-minute load average before and after the section: other work on the machine shows here. */
  loadAverage: { before: number; after: number };
  ok: boolean;
}

/**
 * The baseline's steps, read from a finished case's history. Only timers that
 * fired count as waits: the approval's timeout timer is cancelled by the approval.
 */
function planFrom(history: temporal.api.history.v1.IHistory): BaselinePlan['steps'] {
  const events = history.events ?? [];
  const fired = new Set(
    events.flatMap((e) =>
      e.timerFiredEventAttributes ? [e.timerFiredEventAttributes.timerId] : [],
    ),
  );
  const steps: BaselinePlan['steps'] = [];
  for (const event of events) {
    if (event.activityTaskScheduledEventAttributes) steps.push('activity');
    else if (fired.has(event.timerStartedEventAttributes?.timerId)) steps.push('timer');
    else if (
      event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name ===
      decideRemediationUpdate.name
    ) {
      steps.push('approval');
    }
  }
  return steps;
}

async function runCases(stack: BenchStack, count: number, log: (line: string) => void) {
  // One device more than cases: the first runs a warm-up case whose history gives the plan.
  const devices = await seedFleet(stack.demo, count + 1);
  const driver = await startCaseDriver({
    apiUrl: stack.apiUrl,
    customerToken: stack.demo.customer.token,
    approve: true,
    sweepMs: 5000,
    log,
  });
  const fixReceived = new Map<string, number>();
  log(`connecting ${devices.length} simulated devices (${scenario})...`);
  const agents = await connectFleet(stack.apiUrl, devices, scenario, {
    onCommand: (command) => {
      if (command.kind === 'remediate') fixReceived.set(command.caseId, Date.now());
    },
  });
  try {
    log('warm-up case...');
    const warm = await driver.open(devices[0]!.deviceId);
    await driver.allClosed(120_000);
    const history = await stack.client.workflow
      .getHandle(caseWorkflowId(warm.deviceId))
      .fetchHistory();
    const steps = planFrom(history);

    log(`running ${count} cases at once...`);
    driver.byId.clear();
    const started = Date.now();
    const opened = await Promise.all(devices.slice(1).map((d) => driver.open(d.deviceId)));
    await driver.allClosed(Math.max(300_000, count * 3000));
    const times: CaseTimes[] = opened.map((t) => ({
      ...t,
      fixReceived: fixReceived.get(t.caseId),
    }));
    const lastClosed = Math.max(...times.map((t) => t.closed!));
    return { times, steps, elapsedMs: lastClosed - started };
  } finally {
    for (const agent of agents) agent.stop();
    driver.stop();
  }
}

async function runBaseline(
  stack: BenchStack,
  count: number,
  plan: BaselinePlan,
  log: (line: string) => void,
) {
  const taskQueue = `${stack.taskQueue}-baseline`;
  log('starting the baseline worker process...');
  const worker = await startNodeWorker(
    'baseline-worker',
    path.join('bench', 'baselineWorker.ts'),
    {
      ...process.env,
      TEMPORAL_ADDRESS: stack.temporalAddress,
      TEMPORAL_TASK_QUEUE: taskQueue,
      LOG_LEVEL: 'info',
    },
    stack.dir,
  );
  try {
    const one = (client: Client) => async () => {
      const begun = Date.now();
      const workflowId = `bench-baseline-${randomUUID()}`;
      const startWorkflowOperation = new WithStartWorkflowOperation(baselineCase, {
        workflowId,
        taskQueue,
        args: [plan],
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
      await client.workflow.executeUpdateWithStart(baselineApproveUpdate, {
        startWorkflowOperation,
      });
      await client.workflow.getHandle(workflowId).result();
      return Date.now() - begun;
    };
    log('warm-up baseline...');
    await one(stack.client)();
    log(`running ${count} baseline workflows at once...`);
    const started = Date.now();
    const durations = await Promise.all(Array.from({ length: count }, one(stack.client)));
    const elapsedMs = Date.now() - started;
    return { durations, elapsedMs, peakRssMb: memoryOf(worker.child.pid!).peakRssMb };
  } finally {
    await worker.stop();
  }
}

export async function measureCaseThroughput({
  cases = 20,
  log = (line: string) => console.error(line),
} = {}): Promise<CaseThroughputResult> {
  const loadBefore = round(os.loadavg()[0]!, 2);
  return withBenchStack(
    'cases',
    async (stack) => {
      const run = await runCases(stack, cases, log);
      const steps = run.steps;
      const plan: BaselinePlan = { steps, timerMs: benchSettleSeconds * 1000 };
      const worker = memoryOf(stack.product.worker.pid()).peakRssMb;
      const api = memoryOf(stack.product.api.pid()).peakRssMb;
      const baseline = await runBaseline(stack, cases, plan, log);

      const { times } = run;
      const stage = (from: keyof CaseTimes, to: keyof CaseTimes) =>
        spread(
          times
            .filter((t) => typeof t[from] === 'number' && typeof t[to] === 'number')
            .map((t) => (t[to] as number) - (t[from] as number)),
        );
      const outcomes: Record<string, number> = {};
      for (const t of times) outcomes[t.outcome!] = (outcomes[t.outcome!] ?? 0) + 1;
      const casesPerMinute = (cases / run.elapsedMs) * 60_000;
      const baselinePerMinute = (cases / baseline.elapsedMs) * 60_000;
      const ratio = casesPerMinute / baselinePerMinute;
      const approvalToFixStart = stage('approveReturned', 'fixReceived');
      const result: CaseThroughputResult = {
        section: 'case-throughput',
        cases,
        scenario,
        settleAfterFixSeconds: benchSettleSeconds,
        outcomes,
        casesPerMinute: round(casesPerMinute),
        baselinePerMinute: round(baselinePerMinute),
        ratio: { value: round(ratio, 2), target: caseTargets.ratio },
        plan: {
          activities: steps.filter((s) => s === 'activity').length,
          timers: steps.filter((s) => s === 'timer').length,
          approvals: steps.filter((s) => s === 'approval').length,
        },
        stagesMs: {
          openToFirstDiagnostics: stage('openSent', 'firstDiagnostics'),
          approveCall: stage('approveSent', 'approveReturned'),
          approvalToFixStart: { ...approvalToFixStart, target: caseTargets.approvalToFixP99Ms },
          wholeCase: stage('openSent', 'closed'),
          baselineWholeCase: spread(baseline.durations),
        },
        peakRssMb: {
          worker: round(worker),
          api: round(api),
          baselineWorker: round(baseline.peakRssMb),
        },
        loadAverage: { before: loadBefore, after: round(os.loadavg()[0]!, 2) },
        ok: false,
      };
      result.ok =
        ratio >= caseTargets.ratio &&
        (approvalToFixStart.p99 ?? Infinity) < caseTargets.approvalToFixP99Ms &&
        (outcomes.resolved ?? 0) === cases;
      return result;
    },
    { log },
  );
}

export function formatCaseThroughput(r: CaseThroughputResult): string {
  const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');
  const s = r.stagesMs;
  return [
    `Case throughput (${r.cases} concurrent "${r.scenario}" cases, approved through the API; settle after a fix ${r.settleAfterFixSeconds} s instead of 60 s)`,
    `  outcomes          ${Object.entries(r.outcomes)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ')}`,
    `  cases             ${r.casesPerMinute} per minute`,
    `  baseline          ${r.baselinePerMinute} per minute (${r.plan.activities} no-op activities, ${r.plan.timers} timer, ${r.plan.approvals} approval update per workflow)`,
    `  ratio             ${r.ratio.value}   target >= ${r.ratio.target}   ${mark(r.ratio.value >= r.ratio.target)}`,
    `  open -> first diagnostics   ${formatSpread(s.openToFirstDiagnostics)}`,
    `  approve call                ${formatSpread(s.approveCall)}`,
    `  approval -> fix starts      ${formatSpread(s.approvalToFixStart)}   target p99 < ${s.approvalToFixStart.target} ms   ${mark((s.approvalToFixStart.p99 ?? Infinity) < s.approvalToFixStart.target)}`,
    `  whole case                  ${formatSpread(s.wholeCase)}`,
    `  whole baseline workflow     ${formatSpread(s.baselineWholeCase)}`,
    `  peak RSS          worker ${r.peakRssMb.worker} MB, API ${r.peakRssMb.api} MB, baseline worker ${r.peakRssMb.baselineWorker} MB`,
    `  load average      ${r.loadAverage.before} before, ${r.loadAverage.after} after (1 min, 2 cores)`,
  ].join('\n');
}
