import mongoose from 'mongoose';
import { CloudPath } from '../../contracts/cloudPath';
import {
  MonitorState,
  type DeviceHistory,
  type HistoryPoint,
  type HistoryResolution,
  type Outage,
  type ProbeTarget,
} from '../../contracts/monitor';
import {
  HealthHours,
  HealthJob,
  HealthMinutes,
  HealthOutage,
  hourBucketId,
  hourField,
  minuteBucketId,
  type StoredHour,
} from '../../store/healthHistory';
import {
  hourMs,
  hourPoint,
  hoursIn,
  mergeBuckets,
  minuteMs,
  minutePoint,
  minuteWindowMs,
  minutesOf,
  monthsIn,
  uptimePct,
} from './historyBuckets';
import { compactionCursorId } from './compaction';

// Reading a box's history back: every bucket by its _id (FerretDB finds nothing else
// quickly), minute points from the hour buckets, hour points from the month buckets plus
// the minute buckets of hours not compacted yet.

type Doc = Record<string, unknown>;

export interface StoredDevice {
  deviceId: string;
  status?: string | null;
  lastSeen?: Date | null;
  health?: unknown;
  monitorState?: unknown;
}

/** What the box is doing now. A box whose cloud link runs over LTE is online. */
export function currentState(device: StoredDevice): DeviceHistory['current'] {
  const health = (device.health ?? {}) as { cloudPath?: unknown };
  const monitor = MonitorState.safeParse(device.monitorState);
  const path = CloudPath.safeParse(health.cloudPath);
  return {
    online: device.status === 'online',
    ...(device.lastSeen && { lastSeen: device.lastSeen.toISOString() }),
    ...(monitor.success && { monitor: monitor.data }),
    ...(path.success && { cloudPath: path.data }),
  };
}

async function byIds(model: typeof HealthMinutes | typeof HealthHours, ids: string[]) {
  // One read per _id: each is found at once, where a filter on several would scan.
  const docs = await Promise.all(ids.map((id) => model.collection.findOne({ _id: id as never })));
  return docs as (Doc | null)[];
}

export async function minutePoints(
  deviceId: string,
  from: Date,
  to: Date,
): Promise<HistoryPoint[]> {
  const hours = hoursIn(from, to);
  const buckets = await byIds(
    HealthMinutes,
    hours.map((h) => minuteBucketId(deviceId, h)),
  );
  const points: HistoryPoint[] = [];
  buckets.forEach((bucket, i) => {
    for (const { index, minute } of minutesOf(bucket)) {
      const at = new Date(hours[i]!.getTime() + index * minuteMs);
      if (at >= from && at < to) points.push(minutePoint(at, minute));
    }
  });
  return points;
}

/** Hour summaries of [from, to), hours without any measured minute left out. */
export async function hourSummaries(
  deviceId: string,
  from: Date,
  to: Date,
): Promise<{ at: Date; hour: StoredHour }[]> {
  const cursor = await HealthJob.findById(compactionCursorId).lean();
  const compactedThrough = cursor?.through.getTime() ?? 0;
  const months = monthsIn(from, to);
  const monthDocs = await byIds(
    HealthHours,
    months.map((m) => hourBucketId(deviceId, m)),
  );
  const hours = hoursIn(from, to);
  const open = hours.filter((h) => h.getTime() >= compactedThrough);
  const openBuckets = await byIds(
    HealthMinutes,
    open.map((h) => minuteBucketId(deviceId, h)),
  );
  const bucketOf = new Map(open.map((h, i) => [h.getTime(), openBuckets[i]]));
  const monthOf = new Map(months.map((m, i) => [m.toISOString().slice(0, 7), monthDocs[i]]));
  const summaries: { at: Date; hour: StoredHour }[] = [];
  for (const at of hours) {
    const month = monthOf.get(at.toISOString().slice(0, 7));
    const stored = month?.[hourField(at)] as StoredHour | undefined;
    const hour = mergeBuckets(stored, bucketOf.get(at.getTime()));
    if (hour.n > 0) summaries.push({ at, hour });
  }
  return summaries;
}

export async function hourPoints(deviceId: string, from: Date, to: Date): Promise<HistoryPoint[]> {
  return (await hourSummaries(deviceId, from, to)).map(({ at, hour }) => hourPoint(at, hour));
}

const dayMs = 24 * hourMs;

/** Uptime over the last day, week and month (30 days), from hour points. */
export async function uptime(deviceId: string, now: Date): Promise<DeviceHistory['uptime']> {
  const points = await hourPoints(deviceId, new Date(now.getTime() - 30 * dayMs), now);
  const since = (ms: number) => points.filter((p) => Date.parse(p.at) >= now.getTime() - ms);
  const result = {
    day: uptimePct(since(dayMs)),
    week: uptimePct(since(7 * dayMs)),
    month: uptimePct(points),
  };
  return Object.fromEntries(Object.entries(result).filter(([, v]) => v !== undefined));
}

export async function readHistory(
  device: StoredDevice,
  range: { from: Date; to: Date; resolution: HistoryResolution },
  now = new Date(),
): Promise<DeviceHistory> {
  const { from, to, resolution } = range;
  const points =
    resolution === 'minute'
      ? await minutePoints(device.deviceId, from, to)
      : await hourPoints(device.deviceId, from, to);
  return {
    deviceId: device.deviceId,
    resolution,
    from: from.toISOString(),
    to: to.toISOString(),
    points,
    uptime: await uptime(device.deviceId, now),
    current: currentState(device),
  };
}

/** The most basic thing that failed names the outage: no gateway explains the rest. */
const kindOrder: ProbeTarget[] = ['gateway', 'dns', 'internet', 'http'];

function kindOf(failed: string[]): Outage['kind'] {
  return kindOrder.find((k) => failed.includes(k)) ?? 'internet';
}

/**
 * Outages the monitor saw: runs of consecutive points in which the same kind failed.
 * `stepMs` is the points' length (a minute, or an hour for history past 48 hours, where an
 * outage spans the hours it touched).
 */
export function monitorOutages(points: HistoryPoint[], stepMs: number, now: Date): Outage[] {
  const outages: Outage[] = [];
  let run: { kind: Outage['kind']; start: number; end: number; failed: Set<string> } | undefined;
  const close = () => {
    if (!run) return;
    const ongoing = run.end >= now.getTime() - stepMs;
    outages.push({
      id: `${run.kind}|${new Date(run.start).toISOString()}`,
      kind: run.kind,
      start: new Date(run.start).toISOString(),
      ...(!ongoing && { end: new Date(run.end).toISOString() }),
      failed: [...run.failed] as ProbeTarget[],
    });
    run = undefined;
  };
  for (const point of points) {
    const at = Date.parse(point.at);
    if (point.failedMinutes === 0 || point.failed.length === 0) {
      close();
      continue;
    }
    const kind = kindOf(point.failed);
    if (run && (run.kind !== kind || at > run.end)) close();
    run ??= { kind, start: at, end: at, failed: new Set() };
    run.end = at + stepMs;
    point.failed.forEach((f) => run!.failed.add(f));
  }
  close();
  return outages;
}

/** Offline outages and what the monitor saw fail in [from, to), newest first. */
export async function readOutages(
  deviceId: string,
  from: Date,
  to: Date,
  now = new Date(),
): Promise<Outage[]> {
  const minuteFrom = new Date(Math.max(from.getTime(), now.getTime() - minuteWindowMs));
  const older =
    from < minuteFrom
      ? monitorOutages(await hourPoints(deviceId, from, minuteFrom), hourMs, now)
      : [];
  const recent =
    minuteFrom < to
      ? monitorOutages(await minutePoints(deviceId, minuteFrom, to), minuteMs, now)
      : [];
  const offline = await HealthOutage.find({
    deviceId,
    start: mongoose.trusted({ $lt: to }),
  }).lean();
  const offlineOutages: Outage[] = offline
    .filter((o) => !o.end || o.end > from)
    .map((o) => ({
      id: o._id,
      kind: 'offline',
      start: o.start.toISOString(),
      ...(o.end && { end: o.end.toISOString() }),
      failed: [],
    }));
  return [...older, ...recent, ...offlineOutages].sort((a, b) => b.start.localeCompare(a.start));
}
