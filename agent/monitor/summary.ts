import type { CloudPath } from '../../contracts/cloudPath';
import type { MonitorInterval, ProbeStats, ProbeTarget } from '../../contracts/monitor';
import { failedTargets, targetOrder, type ProbeSample } from './probes';

// One interval's summary: every round of the interval (the regular one and any
// quick re-probes) folded into loss and latency per target.

/** Nearest-rank percentile of sorted values, to a tenth of a millisecond. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return Math.round(sorted[rank - 1]! * 10) / 10;
}

export function probeStats(samples: readonly ProbeSample[]): ProbeStats | undefined {
  if (samples.length === 0) return undefined;
  const sent = samples.reduce((n, s) => n + s.sent, 0);
  const answered = samples.flatMap((s) => s.answeredMs).sort((a, b) => a - b);
  const stats: ProbeStats = { sent, lost: Math.max(0, sent - answered.length) };
  if (answered.length > 0) {
    stats.p50Ms = percentile(answered, 50);
    stats.p95Ms = percentile(answered, 95);
  }
  return stats;
}

export class IntervalSummary {
  private readonly samples: ProbeSample[] = [];

  constructor(readonly start: Date) {}

  add(samples: readonly ProbeSample[]): void {
    this.samples.push(...samples);
  }

  get empty(): boolean {
    return this.samples.length === 0;
  }

  finish(seq: number, seconds: number, path: CloudPath | undefined): MonitorInterval {
    const of = (target: ProbeTarget) => probeStats(this.samples.filter((s) => s.target === target));
    const interval: MonitorInterval = {
      seq,
      start: minuteOf(this.start),
      seconds,
      failed: failedTargets(this.samples),
    };
    for (const target of targetOrder) {
      const stats = of(target);
      if (stats) interval[target] = stats;
    }
    if (path) interval.path = path;
    return interval;
  }
}

/** The interval's first minute, seconds zero, as the contract keeps it. */
export function minuteOf(at: Date): string {
  const minute = new Date(at);
  minute.setUTCSeconds(0, 0);
  return minute.toISOString();
}
