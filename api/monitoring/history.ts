import type { MonitorInterval, MonitorState } from '../../contracts/monitor';
import {
  HealthLateMinutes,
  HealthMinutes,
  minuteBucketId,
  minuteField,
} from '../../store/healthHistory';
import { boundedMemory } from '../../store/lookups';
import { closeOfflineOutage } from './offline';
import {
  floorHour,
  floorMinute,
  hourMs,
  hourWindowMs,
  minuteWindowMs,
  toStoredMinute,
} from './historyBuckets';
import type { MonitoredDevice, MonitoringDeps } from './device';

// The box's monitor intervals into the health history (store/healthHistory.ts): one upsert
// per hour of intervals, each interval on the field of its start minute, so an interval
// sent twice (a lost acknowledgement, an overlapping backlog) is stored once.

/**
 * Hours older than this may be compacted while a write lands: their minutes go to the late
 * buckets, which compaction merges on every run, never to a bucket it may be removing.
 */
export const lateAfterMs = minuteWindowMs - hourMs;
/** A box's clock may run a little ahead; intervals further ahead are dropped. */
const aheadMs = 5 * 60_000;

/** Stores the intervals; the highest seq now stored (all of them were, or this throws). */
export async function storeIntervals(
  device: MonitoredDevice,
  intervals: MonitorInterval[],
  now = new Date(),
): Promise<number | undefined> {
  if (intervals.length === 0) return undefined;
  // Intervals older than the hourly history are acknowledged and dropped.
  const byHour = new Map<number, Record<string, unknown>>();
  for (const interval of intervals) {
    const start = floorMinute(new Date(interval.start));
    const age = now.getTime() - start.getTime();
    if (age > hourWindowMs || age < -aheadMs) continue;
    const hour = floorHour(start).getTime();
    const fields = byHour.get(hour) ?? {};
    fields[minuteField(start)] = toStoredMinute(interval);
    byHour.set(hour, fields);
  }
  await Promise.all(
    [...byHour].map(([hour, fields]) => {
      const late = now.getTime() - hour > lateAfterMs;
      return upsertBucket(late ? HealthLateMinutes : HealthMinutes, device.deviceId, hour, fields);
    }),
  );
  return Math.max(...intervals.map((i) => i.seq));
}

async function upsertBucket(
  model: typeof HealthMinutes,
  deviceId: string,
  hour: number,
  fields: Record<string, unknown>,
): Promise<void> {
  const at = new Date(hour);
  const write = () =>
    model.collection.updateOne(
      { _id: minuteBucketId(deviceId, at) as never },
      { $set: fields, $setOnInsert: { deviceId, hour: at } },
      { upsert: true },
    );
  try {
    await write();
  } catch (err) {
    // Two beats of one box inserting the same new bucket: the second updates it.
    if ((err as { code?: number }).code !== 11000) throw err;
    await write();
  }
}

/** The box connected: if it had been noticed offline, its outage ends and people hear. */
export async function markBack(deps: MonitoringDeps, device: MonitoredDevice): Promise<void> {
  await closeOfflineOutage(
    { client: deps.temporal, taskQueue: deps.defaults.taskQueue },
    device.deviceId,
  );
  await deps.live?.changed(device.deviceId);
}

/** The box's socket dropped: the portal shows it offline at once. */
export async function markGone(deps: MonitoringDeps, device: MonitoredDevice): Promise<void> {
  await deps.live?.changed(device.deviceId);
}

/** The monitor state each box last reported to this process, to tell the portal of a change. */
const lastState = boundedMemory<string>();

/**
 * A change of the box's monitor state is told to the portal (after the heartbeat's write).
 * The verdict's time is part of it: a box may report its recovery to another API instance
 * and come back here with a new fault that fails the same way.
 */
export function monitorStateChanged(device: MonitoredDevice, state: MonitorState): boolean {
  const key = JSON.stringify([state.state, state.since, [...state.failing].sort()]);
  if (lastState.get(device.deviceId) === key) return false;
  lastState.remember(device.deviceId, key);
  return true;
}
