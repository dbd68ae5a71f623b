// Small statistics for the bench's figures.

/** The p-th percentile (0-100) by nearest rank; undefined for no values. */
export function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

export interface Spread {
  n: number;
  p50: number | undefined;
  p99: number | undefined;
}

export function spread(values: number[]): Spread {
  return { n: values.length, p50: percentile(values, 50), p99: percentile(values, 99) };
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

export const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** The middle value (the lower of the two middle ones for an even count): one of the values. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** Each process's mean CPU seconds over several runs. */
export function meanCpu(runs: Record<string, number>[]): Record<string, number> {
  return Object.fromEntries(
    Object.keys(runs[0] ?? {}).map((name) => [name, round(mean(runs.map((r) => r[name] ?? 0)))]),
  );
}

/** "p50 12 ms, p99 40 ms (n=20)" */
export function formatSpread(s: Spread, unit = 'ms'): string {
  const v = (x: number | undefined) => (x === undefined ? '-' : `${Math.round(x)} ${unit}`);
  return `p50 ${v(s.p50)}, p99 ${v(s.p99)} (n=${s.n})`;
}

/** The report lines for API crashes during a run (none when it never crashed). */
export function crashLines(crashes: string[]): string[] {
  if (crashes.length === 0) return [];
  return [
    `  API CRASHED       ${crashes.length} time(s), restarted each time:`,
    ...crashes.map((c) => `                    ${c}`),
  ];
}
