import type { Client } from '@temporalio/client';
import mongoose from 'mongoose';
import { notify } from '../../notifier/notify';
import { HealthOutage, OfflineMark, offlineOutageId } from '../../store/healthHistory';
import { Device } from '../../store/models';
import { subscriptionOfCustomer } from './subscription';

// Noticing a silent box, and its return. No timer per box in any API process: a sweep
// (workflows/healthSweep.ts, every minute from a Temporal Schedule) reads the devices
// whose lastSeen is old. Each silence is one outage whose _id is made of the box and its
// lastSeen: inserting it is the compare-and-set, so two sweeps at once (or one run twice)
// open it once, and box_offline's key is the same id, so it is notified once.

export interface OfflineSettings {
  /** A box whose socket dropped counts as offline after this long. */
  offlineAfterMs: number;
  /**
   * A box still marked online (its API instance died without writing the drop) after this
   * long without a lastSeen write: the gateway writes lastSeen at least every 5 minutes
   * while beats come, and beats over LTE come every 5 minutes.
   */
  unclosedSocketAfterMs: number;
}

export interface Notifying {
  client: Client;
  /** Where notifyPeople workflows run. */
  taskQueue: string;
}

interface SilentDevice {
  _id: string;
  deviceId: string;
  customerId: string;
  lastSeen: Date;
}

/** Opens and notifies an outage for every box silent too long; how many were noticed now. */
export async function noticeSilentBoxes(
  notifying: Notifying,
  settings: OfflineSettings,
  now = new Date(),
): Promise<{ noticed: number }> {
  const silent = await silentDevices(settings, now);
  let noticed = 0;
  for (const device of silent) {
    const outageId = offlineOutageId(device.deviceId, device.lastSeen);
    if (await HealthOutage.exists({ _id: outageId })) continue;
    try {
      await HealthOutage.create({
        _id: outageId,
        deviceId: device.deviceId,
        customerId: device.customerId,
        kind: 'offline',
        start: device.lastSeen,
      });
    } catch (err) {
      if (isDuplicate(err)) continue; // Another sweep noticed it first.
      throw err;
    }
    noticed++;
    await OfflineMark.updateOne({ _id: device.deviceId }, { $set: { outageId } }, { upsert: true });
    // The box may have come back while the outage was being opened: its connection found no
    // mark to clear, so the sweep closes what it just opened.
    const fresh = await Device.findById(device._id, { lastSeen: 1 }).lean();
    if (fresh?.lastSeen && fresh.lastSeen.getTime() > device.lastSeen.getTime()) {
      await closeOfflineOutage(notifying, device.deviceId, fresh.lastSeen);
    }
  }
  await raisePending(notifying, now);
  return { noticed };
}

/** The devices silent long enough: connected boxes stay out, a box on LTE among them. */
async function silentDevices(settings: OfflineSettings, now: Date): Promise<SilentDevice[]> {
  const dropped = new Date(now.getTime() - settings.offlineAfterMs);
  const unclosed = new Date(now.getTime() - settings.unclosedSocketAfterMs);
  const found = await Device.find(
    {
      lastSeen: mongoose.trusted({ $lt: dropped }),
      status: mongoose.trusted({ $in: ['online', 'offline'] }),
      revokedAt: mongoose.trusted({ $exists: false }),
    },
    { deviceId: 1, customerId: 1, lastSeen: 1, status: 1 },
  ).lean();
  return found
    .filter((d) => d.status === 'offline' || d.lastSeen!.getTime() < unclosed.getTime())
    .map((d) => ({
      _id: d._id,
      deviceId: d.deviceId,
      customerId: d.customerId,
      lastSeen: d.lastSeen!,
    }));
}

/**
 * Raises box_offline, and box_online for ended outages, where a sweep or a connection
 * stopped halfway (Temporal away for a moment): the keys make a repeat harmless.
 */
async function raisePending(notifying: Notifying, now: Date): Promise<void> {
  for (const outage of await HealthOutage.find({ notified: false }).lean()) {
    await raiseOffline(notifying, outage, now);
  }
  const ended = await HealthOutage.find({
    backNotified: false,
    end: mongoose.trusted({ $exists: true }),
  }).lean();
  for (const outage of ended) {
    if (outage.end) await raiseBack(notifying, { ...outage, end: outage.end });
  }
}

interface OfflineOutage {
  _id: string;
  deviceId: string;
  customerId: string;
  start: Date;
  end?: Date | null;
}

async function raiseOffline(notifying: Notifying, outage: OfflineOutage, now: Date) {
  // An ended subscription's boxes are told about to nobody; the outage is still kept.
  const told = (await subscriptionOfCustomer(outage.customerId)).rules.monitors;
  if (told)
    await notify(notifying.client, notifying.taskQueue, {
      type: 'box_offline',
      key: `box_offline:${outage._id}`,
      at: now.toISOString(),
      customerId: outage.customerId,
      deviceId: outage.deviceId,
      facts: {
        since: outage.start.toISOString(),
        minutesOffline: Math.floor((now.getTime() - outage.start.getTime()) / 60_000),
      },
    });
  await HealthOutage.updateOne({ _id: outage._id }, { $set: { notified: true } });
}

async function raiseBack(notifying: Notifying, outage: OfflineOutage & { end: Date }) {
  const told = (await subscriptionOfCustomer(outage.customerId)).rules.monitors;
  if (told)
    await notify(notifying.client, notifying.taskQueue, {
      type: 'box_online',
      key: `box_online:${outage._id}`,
      at: outage.end.toISOString(),
      customerId: outage.customerId,
      deviceId: outage.deviceId,
      facts: {
        since: outage.start.toISOString(),
        minutesOffline: Math.floor((outage.end.getTime() - outage.start.getTime()) / 60_000),
      },
    });
  await HealthOutage.updateOne({ _id: outage._id }, { $set: { backNotified: true } });
}

/**
 * The box is back: closes its open offline outage, if it was noticed offline, and raises
 * box_online. Taking the mark away is the compare-and-set: of two connections at once,
 * one finds it. True when the box had been noticed offline.
 */
export async function closeOfflineOutage(
  notifying: Notifying,
  deviceId: string,
  backAt = new Date(),
): Promise<boolean> {
  const mark = await OfflineMark.findOneAndDelete({ _id: deviceId }).lean();
  if (!mark) return false;
  const outage = await HealthOutage.findOneAndUpdate(
    { _id: mark.outageId, end: mongoose.trusted({ $exists: false }) },
    { $set: { end: backAt } },
    { new: true },
  ).lean();
  if (!outage?.end) return false;
  await raiseBack(notifying, { ...outage, end: outage.end });
  return true;
}

function isDuplicate(err: unknown): boolean {
  const e = err as { code?: number; message?: string };
  // FerretDB may answer a unique clash with an internal error that names it.
  return e.code === 11000 || /duplicate key|E11000/i.test(e.message ?? '');
}
