import mongoose, { Schema } from 'mongoose';

// A claim on one change of a box's monitor state (api/monitoring/faults.ts): its _id
// names the device, the new state and when the box saw it change, so of several API
// instances handling the same change only the first insert wins. A unique _id is the
// one guard FerretDB on SQLite keeps under concurrent writers: its conditional updates
// can both succeed (both read before either writes).

const monitorTransitionSchema = new Schema(
  {
    _id: { type: String, required: true },
    deviceId: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'monitor_transitions', versionKey: false },
);
monitorTransitionSchema.index({ deviceId: 1, at: 1 });

export const MonitorTransition = mongoose.model('MonitorTransition', monitorTransitionSchema);

/** Claims keep a day: a copy of the same change arrives within seconds, not days. */
export const transitionClaimKeepMs = 24 * 60 * 60_000;

/** True when this caller is the first to claim the change; false when another was. */
export async function claimTransition(
  deviceId: string,
  change: { state: string; since: string },
): Promise<boolean> {
  const _id = `${deviceId} ${change.state} ${change.since}`;
  const now = new Date();
  try {
    await MonitorTransition.create({ _id, deviceId, at: now });
  } catch (err) {
    if ((err as { code?: number }).code === 11000) return false;
    // FerretDB may report the clash as an internal error: a claim that exists was lost.
    if (await MonitorTransition.exists({ _id })) return false;
    throw err;
  }
  await MonitorTransition.deleteMany({
    deviceId,
    at: mongoose.trusted({ $lt: new Date(now.getTime() - transitionClaimKeepMs) }),
  });
  return true;
}

/** Gives a claim back when acting on it failed, so the next report can act. */
export async function releaseTransition(
  deviceId: string,
  change: { state: string; since: string },
): Promise<void> {
  await MonitorTransition.deleteOne({ _id: `${deviceId} ${change.state} ${change.since}` });
}
