import mongoose, { Schema } from 'mongoose';
import { Device } from './models';

// A box's health history (api/monitoring/history.ts), in plain bucketed documents that
// FerretDB 1.x keeps as well as MongoDB (no time-series collections, no TTL). FerretDB on
// SQLite finds a document quickly only by _id, so every hot read and write names its _id:
//
//   health_minutes       one per box per hour, `${deviceId}|${YYYY-MM-DDTHH}`, its minutes
//                        as fields m00…m59 (a minute sent twice lands on the same field)
//   health_minutes_late  the same, for minutes that arrive when their hour may already be
//                        compacted (a box's backlog after a long cloud outage)
//   health_hours         one per box per month, `${deviceId}|${YYYY-MM}`, its hours as fields
//                        hDDHH, each summing the minutes it holds (and which ones)
//   health_outages       the box's offline outages, `offline|${deviceId}|${lastSeen ms}`
//   device_offline_marks one per box noticed offline, `${deviceId}`: which outage is open
//   health_jobs          where compaction has got to

/** One minute as stored: short keys, as there are 2,880 per box at any time. */
export interface StoredMinute {
  /** Seconds measured, and the interval's seq. */
  s: number;
  q: number;
  /** Failed targets. */
  f: string[];
  /** Internet probes sent and lost, latency p50 and p95 (ms). */
  is?: number;
  il?: number;
  i5?: number;
  i9?: number;
  /** Gateway and DNS p50 (ms). */
  g5?: number;
  d5?: number;
  /** The cloud path at the interval's end. */
  p?: string;
}

/** One hour as stored: sums of its minutes, so they can be merged again without counting twice. */
export interface StoredHour {
  /** Minutes measured and minutes in which something failed. */
  n: number;
  fm: number;
  f: string[];
  is: number;
  il: number;
  /** Sums and counts of the minutes' latencies: the hour shows their mean. */
  i5s: number;
  i5n: number;
  i9s: number;
  i9n: number;
  g5s: number;
  g5n: number;
  d5s: number;
  d5n: number;
  /** Which minutes of the hour are in it: 60 bits as hex. */
  b: string;
}

const minuteBucketSchema = new Schema(
  {
    _id: { type: String, required: true },
    deviceId: { type: String, required: true },
    hour: { type: Date, required: true },
  },
  // m00…m59 are added by $set; strict: false keeps them on reads through the model.
  { versionKey: false, strict: false, minimize: false },
);

const minutesSchema = minuteBucketSchema.clone().set('collection', 'health_minutes');
// Where compaction starts when it has never run: the oldest bucket.
minutesSchema.index({ hour: 1 });
export const HealthMinutes = mongoose.model('HealthMinutes', minutesSchema);
const lateMinutesSchema = minuteBucketSchema.clone().set('collection', 'health_minutes_late');
// Compaction takes the late buckets of the hours it may compact.
lateMinutesSchema.index({ hour: 1 });
export const HealthLateMinutes = mongoose.model('HealthLateMinutes', lateMinutesSchema);

const hourBucketSchema = new Schema(
  {
    _id: { type: String, required: true },
    deviceId: { type: String, required: true },
    month: { type: Date, required: true },
  },
  { collection: 'health_hours', versionKey: false, strict: false, minimize: false },
);
// Removing what is older than a year.
hourBucketSchema.index({ month: 1 });
export const HealthHours = mongoose.model('HealthHours', hourBucketSchema);

const outageSchema = new Schema(
  {
    _id: { type: String, required: true },
    deviceId: { type: String, required: true },
    customerId: { type: String, required: true },
    kind: { type: String, enum: ['offline'], required: true },
    start: { type: Date, required: true },
    end: Date,
    /** box_offline was raised for it (the sweep retries those it has not). */
    notified: { type: Boolean, default: false },
    /** box_online was raised for its end. */
    backNotified: { type: Boolean, default: false },
  },
  { collection: 'health_outages', versionKey: false },
);
outageSchema.index({ deviceId: 1, start: -1 });
outageSchema.index({ notified: 1 });
outageSchema.index({ backNotified: 1 });
export const HealthOutage = mongoose.model('HealthOutage', outageSchema);

const offlineMarkSchema = new Schema(
  {
    // The deviceId: one open offline outage per box.
    _id: { type: String, required: true },
    outageId: { type: String, required: true },
  },
  { collection: 'device_offline_marks', versionKey: false },
);
export const OfflineMark = mongoose.model('OfflineMark', offlineMarkSchema);

const jobSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** Minute buckets of hours before this are compacted. */
    through: { type: Date, required: true },
  },
  { collection: 'health_jobs', versionKey: false },
);
export const HealthJob = mongoose.model('HealthJob', jobSchema);

export const healthModels = {
  HealthMinutes,
  HealthLateMinutes,
  HealthHours,
  HealthOutage,
  OfflineMark,
  HealthJob,
};

/**
 * Builds the history's indexes, and the one the offline sweep reads devices by (devices
 * belong to store/models.ts; the index is added here so that file stays as it is).
 * Called where the sweep and compaction run (the worker); repeating it changes nothing.
 */
export async function ensureHealthIndexes(): Promise<void> {
  await Promise.all(Object.values(healthModels).map((model) => model.createIndexes()));
  await Device.collection.createIndex({ lastSeen: 1 });
}

export function minuteBucketId(deviceId: string, hour: Date): string {
  return `${deviceId}|${hour.toISOString().slice(0, 13)}`;
}

export function hourBucketId(deviceId: string, month: Date): string {
  return `${deviceId}|${month.toISOString().slice(0, 7)}`;
}

/** The field of a minute in its hour bucket: m00…m59. */
export function minuteField(at: Date): string {
  return `m${String(at.getUTCMinutes()).padStart(2, '0')}`;
}

/** The field of an hour in its month bucket: hDDHH. */
export function hourField(at: Date): string {
  const day = String(at.getUTCDate()).padStart(2, '0');
  return `h${day}${String(at.getUTCHours()).padStart(2, '0')}`;
}

export function offlineOutageId(deviceId: string, lastSeen: Date): string {
  return `offline|${deviceId}|${lastSeen.getTime()}`;
}
