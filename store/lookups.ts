import type { Model } from 'mongoose';
import { ApiToken, type ApiTokenRecord } from './apiTokens';
import { Case, Device, driverCollection } from './models';

// FerretDB on SQLite (the local and test database) finds a document quickly only
// by _id; any other filter reads the whole collection, and every read costs it a
// few milliseconds of CPU. The hot lookups therefore remember what cannot change
// under them, per process, and read by _id.

const maxRemembered = 20_000;

/** A Map that forgets its oldest entry when full (a Map iterates in insertion order). */
export function boundedMemory<V>() {
  const entries = new Map<string, V>();
  return {
    get: (key: string) => entries.get(key),
    forget: (key: string) => entries.delete(key),
    remember(key: string, value: V) {
      if (entries.size >= maxRemembered) entries.delete(entries.keys().next().value!);
      entries.set(key, value);
    },
  };
}

/**
 * A device id never moves to another document and a token hash only when the token is
 * replaced: once found, the document is read by _id and checked to still hold the value.
 * A replaced or revoked token no longer does, and is looked up afresh (finding nothing).
 */
function rememberingLookup<T extends { _id: string }>(model: Model<T>, field: keyof T & string) {
  const idOf = boundedMemory<string>();
  return async (value: string): Promise<T | null> => {
    const known = idOf.get(value);
    if (known !== undefined) {
      // Through the driver (models.ts driverCollection): this read precedes every request.
      const doc = (await driverCollection(model).findOne({ _id: known })) as T | null;
      if (doc?.[field] === value) return doc;
      idOf.forget(value);
    }
    const doc = await model.findOne({ [field]: value }).lean<T>();
    if (doc) idOf.remember(value, doc._id);
    return doc;
  };
}

export const deviceByDeviceId = rememberingLookup(Device, 'deviceId');
export const deviceByTokenHash = rememberingLookup(Device, 'tokenHash');
/** Integration tokens: their revocation and expiry are read afresh with the document. */
export const apiTokenByHash = rememberingLookup(
  ApiToken as unknown as Model<ApiTokenRecord>,
  'tokenHash',
);

const partiesOf = boundedMemory<CaseParties>();

export interface CaseParties {
  _id: string;
  customerId: string;
  deviceId: string;
}

/** A case's customer and device are set when it opens and never change: read once. */
export async function caseParties(caseId: string): Promise<CaseParties | null> {
  const known = partiesOf.get(caseId);
  if (known) return known;
  const doc = await Case.findById(caseId, { customerId: 1, deviceId: 1 }).lean();
  if (!doc) return null;
  const parties = { _id: doc._id, customerId: doc.customerId, deviceId: doc.deviceId };
  partiesOf.remember(caseId, parties);
  return parties;
}
