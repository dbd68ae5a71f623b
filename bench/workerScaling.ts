import os from 'node:os';
import { prepareCases } from './caseThroughput';
import { shapeNote, type Shape } from './shapes';
import { withBenchStack } from './stack';
import { crashLines, mean, round } from './stats';

// Cases per minute with one worker and with all of them: the same batch size of cases,
// end to end as in the case-throughput section, in rounds that alternate between one
// worker (the others stopped) and all of them, so the machine's other work falls on both.

export interface WorkerScalingResult {
  section: 'worker-scaling';
  shape: Shape;
  cases: number;
  workers: number;
  /** Cases per minute of each round with one worker, and with all. */
  oneWorker: { perMinute: number; rounds: number[] };
  allWorkers: { perMinute: number; rounds: number[] };
  /** All workers' rate over one worker's. */
  speedup: number;
  outcomes: Record<string, number>;
  loadAverage: { before: number; after: number };
  apiCrashes: string[];
  ok: boolean;
}

export async function measureWorkerScaling({
  cases = 20,
  pairs = 2,
  shape = 'cluster' as Shape,
  log = (line: string) => console.error(line),
} = {}): Promise<WorkerScalingResult> {
  const loadBefore = round(os.loadavg()[0]!, 2);
  return withBenchStack(
    'scaling',
    async (stack) => {
      if (stack.workers.length < 2) {
        throw new Error('Cases per worker count need two workers or more: run with --cluster.');
      }
      const [, ...others] = stack.workers;
      const fleet = await prepareCases(stack, cases, pairs * 2, log);
      const one: number[] = [];
      const all: number[] = [];
      const outcomes: Record<string, number> = {};
      try {
        for (let pair = 0; pair < pairs; pair++) {
          // Which goes first alternates too: a warmer machine favours neither.
          const order = pair % 2 === 0 ? (['one', 'all'] as const) : (['all', 'one'] as const);
          for (const [k, workers] of order.entries()) {
            if (workers === 'one') {
              log(`stopping ${others.length} worker(s): one worker for this round`);
              for (const w of others) await stack.restWorker(w);
            }
            const run = await fleet.run(pair * 2 + k + 1);
            if (workers === 'one') {
              for (const w of others) await stack.wakeWorker(w);
            }
            for (const t of run.times) outcomes[t.outcome!] = (outcomes[t.outcome!] ?? 0) + 1;
            (workers === 'one' ? one : all).push((cases / run.elapsedMs) * 60_000);
          }
        }
      } finally {
        fleet.stop();
      }
      const result: WorkerScalingResult = {
        section: 'worker-scaling',
        shape,
        cases,
        workers: stack.workers.length,
        oneWorker: { perMinute: round(mean(one)), rounds: one.map((x) => round(x)) },
        allWorkers: { perMinute: round(mean(all)), rounds: all.map((x) => round(x)) },
        speedup: round(mean(all) / mean(one), 2),
        outcomes,
        loadAverage: { before: loadBefore, after: round(os.loadavg()[0]!, 2) },
        apiCrashes: stack.apiCrashes,
        ok: false,
      };
      // Figures, no target: the verdict is only that every case resolved and nothing crashed.
      result.ok = stack.apiCrashes.length === 0 && (outcomes.resolved ?? 0) === cases * pairs * 2;
      return result;
    },
    { log, shape },
  );
}

export function formatWorkerScaling(r: WorkerScalingResult): string {
  return [
    `Cases per minute by worker count${shapeNote(r.shape)} (${r.cases} concurrent cases a round, rounds alternating)`,
    `  one worker        ${r.oneWorker.perMinute} per minute (rounds: ${r.oneWorker.rounds.join(', ')})`,
    `  ${r.workers} workers         ${r.allWorkers.perMinute} per minute (rounds: ${r.allWorkers.rounds.join(', ')})   ${r.speedup}x`,
    `  outcomes          ${Object.entries(r.outcomes)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ')}`,
    ...crashLines(r.apiCrashes),
    `  load average      ${r.loadAverage.before} before, ${r.loadAverage.after} after (1 min, 2 cores)`,
  ].join('\n');
}
