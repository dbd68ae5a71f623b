import type { HistoryPoint, MonitorInterval, ProbeTarget } from '../../contracts/monitor';
import type { StoredHour, StoredMinute } from '../../store/healthHistory';

// Pure arithmetic of the history's buckets (store/healthHistory.ts): an interval as a
// stored minute, minutes summed into an hour (each minute once), and both as points.

export const minuteMs = 60_000;
export const hourMs = 3_600_000;
/** Minute resolution is kept this long; compaction (./compaction.ts) takes older hours. */
export const minuteWindowMs = 48 * hourMs;
/** Hourly history is kept this long (a year, and a day for a leap year). */
export const hourWindowMs = 366 * 24 * hourMs;

export function floorMinute(at: Date): Date {
  return new Date(Math.floor(at.getTime() / minuteMs) * minuteMs);
}

export function floorHour(at: Date): Date {
  return new Date(Math.floor(at.getTime() / hourMs) * hourMs);
}

export function floorMonth(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

/** Hour starts from the hour holding `from` up to (not including) `to`. */
export function hoursIn(from: Date, to: Date): Date[] {
  const hours: Date[] = [];
  for (let t = floorHour(from).getTime(); t < to.getTime(); t += hourMs) hours.push(new Date(t));
  return hours;
}

/** Month starts from the month holding `from` up to (not including) `to`. */
export function monthsIn(from: Date, to: Date): Date[] {
  const months: Date[] = [];
  for (let m = floorMonth(from); m < to;) {
    months.push(m);
    m = new Date(Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 1));
  }
  return months;
}

export function toStoredMinute(interval: MonitorInterval): StoredMinute {
  const { internet, gateway, dns, path } = interval;
  return {
    s: interval.seconds,
    q: interval.seq,
    f: [...interval.failed],
    ...(internet && { is: internet.sent, il: internet.lost }),
    ...(internet?.p50Ms !== undefined && { i5: internet.p50Ms }),
    ...(internet?.p95Ms !== undefined && { i9: internet.p95Ms }),
    ...(gateway?.p50Ms !== undefined && { g5: gateway.p50Ms }),
    ...(dns?.p50Ms !== undefined && { d5: dns.p50Ms }),
    ...(path && { p: path }),
  };
}

/** The minutes a stored minute stands for (an interval may be longer than one). */
function weight(minute: StoredMinute): number {
  return Math.max(1, Math.round(minute.s / 60));
}

export function emptyHour(): StoredHour {
  return {
    n: 0,
    fm: 0,
    f: [],
    is: 0,
    il: 0,
    i5s: 0,
    i5n: 0,
    i9s: 0,
    i9n: 0,
    g5s: 0,
    g5n: 0,
    d5s: 0,
    d5n: 0,
    b: '0',
  };
}

const hasBit = (mask: string, i: number) => ((BigInt(`0x${mask}`) >> BigInt(i)) & 1n) === 1n;
const withBit = (mask: string, i: number) => (BigInt(`0x${mask}`) | (1n << BigInt(i))).toString(16);

/** The hour with one more minute (index 0–59); a minute it already holds is not counted again. */
export function addMinute(hour: StoredHour, index: number, minute: StoredMinute): StoredHour {
  if (hasBit(hour.b, index)) return hour;
  const w = weight(minute);
  const failed = minute.f.length > 0;
  return {
    n: hour.n + w,
    fm: hour.fm + (failed ? w : 0),
    f: [...new Set([...hour.f, ...minute.f])],
    is: hour.is + (minute.is ?? 0),
    il: hour.il + (minute.il ?? 0),
    i5s: hour.i5s + (minute.i5 ?? 0),
    i5n: hour.i5n + (minute.i5 === undefined ? 0 : 1),
    i9s: hour.i9s + (minute.i9 ?? 0),
    i9n: hour.i9n + (minute.i9 === undefined ? 0 : 1),
    g5s: hour.g5s + (minute.g5 ?? 0),
    g5n: hour.g5n + (minute.g5 === undefined ? 0 : 1),
    d5s: hour.d5s + (minute.d5 ?? 0),
    d5n: hour.d5n + (minute.d5 === undefined ? 0 : 1),
    b: withBit(hour.b, index),
  };
}

/** The minutes a bucket document holds, by their index in the hour. */
export function minutesOf(bucket: Record<string, unknown> | null | undefined) {
  const minutes: { index: number; minute: StoredMinute }[] = [];
  if (!bucket) return minutes;
  for (const [field, value] of Object.entries(bucket)) {
    const match = /^m(\d\d)$/.exec(field);
    if (match && value) minutes.push({ index: Number(match[1]), minute: value as StoredMinute });
  }
  return minutes.sort((a, b) => a.index - b.index);
}

/** An hour summary with the minutes of its buckets merged in. */
export function mergeBuckets(
  hour: StoredHour | undefined,
  ...buckets: (Record<string, unknown> | null | undefined)[]
): StoredHour {
  let merged = hour ?? emptyHour();
  for (const bucket of buckets) {
    for (const { index, minute } of minutesOf(bucket)) merged = addMinute(merged, index, minute);
  }
  return merged;
}

const mean = (sum: number, count: number) =>
  count > 0 ? Math.round((sum / count) * 10) / 10 : undefined;
const lossPct = (sent: number, lost: number) =>
  sent > 0 ? Math.round((lost / sent) * 1000) / 10 : undefined;

function defined<T extends object>(point: T): T {
  return Object.fromEntries(Object.entries(point).filter(([, v]) => v !== undefined)) as T;
}

export function minutePoint(at: Date, minute: StoredMinute): HistoryPoint {
  const w = weight(minute);
  return defined({
    at: at.toISOString(),
    minutes: w,
    failedMinutes: minute.f.length > 0 ? w : 0,
    internetLossPct: lossPct(minute.is ?? 0, minute.il ?? 0),
    internetP50Ms: minute.i5,
    internetP95Ms: minute.i9,
    gatewayP50Ms: minute.g5,
    dnsP50Ms: minute.d5,
    failed: minute.f as ProbeTarget[],
  });
}

export function hourPoint(at: Date, hour: StoredHour): HistoryPoint {
  return defined({
    at: at.toISOString(),
    minutes: hour.n,
    failedMinutes: hour.fm,
    internetLossPct: lossPct(hour.is, hour.il),
    internetP50Ms: mean(hour.i5s, hour.i5n),
    internetP95Ms: mean(hour.i9s, hour.i9n),
    gatewayP50Ms: mean(hour.g5s, hour.g5n),
    dnsP50Ms: mean(hour.d5s, hour.d5n),
    failed: hour.f as ProbeTarget[],
  });
}

/** Share of measured minutes without a failure, or undefined when nothing was measured. */
export function uptimePct(points: HistoryPoint[]): number | undefined {
  const minutes = points.reduce((sum, p) => sum + p.minutes, 0);
  if (minutes === 0) return undefined;
  const failed = points.reduce((sum, p) => sum + p.failedMinutes, 0);
  return Math.round(((minutes - failed) / minutes) * 10_000) / 100;
}
