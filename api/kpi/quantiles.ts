import type { KpiQuantiles } from '../../contracts/kpi';

// One rule for every p50 and p90 in the numbers, the nearest rank: the q-quantile of n
// values is the ⌈q·n⌉-th smallest. It is always a duration some case really had (no
// interpolation), and p50 of an even count is the lower of the two middle values:
// p50 of [60, 120, 180, 240] is 120, p90 is 240.

export function nearestRank(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  // The small allowance keeps float error (0.9 · 10 = 9.000…01) from skipping a rank.
  const rank = Math.max(1, Math.ceil(q * sorted.length - 1e-9));
  return sorted[rank - 1];
}

export function quantiles(values: readonly number[]): KpiQuantiles {
  const sorted = [...values].sort((a, b) => a - b);
  const p50 = nearestRank(sorted, 0.5);
  const p90 = nearestRank(sorted, 0.9);
  return {
    count: sorted.length,
    ...(p50 !== undefined && { p50 }),
    ...(p90 !== undefined && { p90 }),
  };
}
