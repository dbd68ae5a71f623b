import mongoose from 'mongoose';
import {
  HealthHours,
  HealthJob,
  HealthLateMinutes,
  HealthMinutes,
  hourBucketId,
  hourField,
  minuteBucketId,
  type StoredHour,
} from '../../store/healthHistory';
import { Device } from '../../store/models';
import {
  floorHour,
  floorMonth,
  hourMs,
  hourWindowMs,
  mergeBuckets,
  minuteWindowMs,
} from './historyBuckets';

// Minute buckets older than 48 hours become hours in the box's month bucket and are
// removed; month buckets older than a year are removed. It runs in the worker, from a
// Temporal Schedule (workers/schedules.ts) that starts one run at a time however many
// API instances and workers there are: the month buckets are read, merged and written
// back, which two runs at once could interleave. Ingest never writes the buckets it
// compacts (api/monitoring/history.ts lateAfterMs), so nothing lands in one being removed.

export const compactionCursorId = 'minutes-compacted';

/** Reads at once: enough to keep FerretDB busy, few enough to leave it to the heartbeats. */
const parallel = 16;

export interface CompactionResult {
  hours: number;
  buckets: number;
  monthsRemoved: number;
}

/** Compacts up to `maxHours` hours per run; a run that falls behind catches up over the next. */
export async function compactHistory(now = new Date(), maxHours = 6): Promise<CompactionResult> {
  const due = floorHour(new Date(now.getTime() - minuteWindowMs));
  const cursor = await HealthJob.findById(compactionCursorId).lean();
  let through = cursor?.through ?? (await oldestBucketHour()) ?? due;
  const devices = await Device.find({}, { deviceId: 1 }).lean();
  let hours = 0;
  let buckets = 0;
  while (through < due && hours < maxHours) {
    const hour = through;
    const found = await eachInChunks(devices, async ({ deviceId }) => {
      const id = minuteBucketId(deviceId, hour);
      const bucket = await HealthMinutes.collection.findOne({ _id: id as never });
      if (!bucket) return 0;
      await mergeIntoMonth(deviceId, hour, bucket);
      await HealthMinutes.collection.deleteOne({ _id: id as never });
      return 1;
    });
    buckets += found;
    through = new Date(hour.getTime() + hourMs);
    await HealthJob.updateOne({ _id: compactionCursorId }, { $set: { through } }, { upsert: true });
    hours++;
  }
  buckets += await compactLateBuckets(due);
  const { deletedCount } = await HealthHours.deleteMany({
    month: mongoose.trusted({ $lt: floorMonth(new Date(now.getTime() - hourWindowMs)) }),
  });
  return { hours, buckets, monthsRemoved: deletedCount };
}

/** The first run starts at the oldest minute bucket (one read, the only one not by _id). */
async function oldestBucketHour(): Promise<Date | undefined> {
  const oldest = await HealthMinutes.findOne({}, { hour: 1 }).sort({ hour: 1 }).lean();
  return oldest?.hour;
}

/** Minutes that arrived after their hour may have been compacted (a box's late backlog). */
async function compactLateBuckets(due: Date): Promise<number> {
  const late = await HealthLateMinutes.collection
    .find({ hour: mongoose.trusted({ $lt: due }) })
    .toArray();
  for (const bucket of late) {
    const doc = bucket as unknown as Record<string, unknown> & { deviceId: string; hour: Date };
    await mergeIntoMonth(doc.deviceId, doc.hour, doc);
    await HealthLateMinutes.collection.deleteOne({ _id: bucket._id });
  }
  return late.length;
}

async function mergeIntoMonth(deviceId: string, hour: Date, bucket: Record<string, unknown>) {
  const month = floorMonth(hour);
  const id = hourBucketId(deviceId, month);
  const field = hourField(hour);
  const doc = await HealthHours.collection.findOne(
    { _id: id as never },
    { projection: { [field]: 1 } },
  );
  const merged = mergeBuckets(doc?.[field] as StoredHour | undefined, bucket);
  await HealthHours.collection.updateOne(
    { _id: id as never },
    { $set: { [field]: merged }, $setOnInsert: { deviceId, month } },
    { upsert: true },
  );
}

async function eachInChunks<T>(items: T[], work: (item: T) => Promise<number>): Promise<number> {
  let total = 0;
  for (let i = 0; i < items.length; i += parallel) {
    const counts = await Promise.all(items.slice(i, i + parallel).map(work));
    total += counts.reduce((a, b) => a + b, 0);
  }
  return total;
}
