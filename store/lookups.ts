import type { Model } from 'mongoose';
import { Device, User } from './models';

// FerretDB on SQLite (the local and test database) finds a document quickly only
// by _id; any other filter reads the whole collection, on every device request.
// A device id never moves to another document and a token hash only when the
// token is replaced, so each process remembers which _id held a value and reads
// that document by _id, checking it still holds the value: a replaced or revoked
// token no longer does, and is looked up afresh (finding nothing).

const maxRemembered = 20_000;

function rememberingLookup<T extends { _id: string }>(model: Model<T>, field: keyof T & string) {
  const idOf = new Map<string, string>();
  return async (value: string): Promise<T | null> => {
    const known = idOf.get(value);
    if (known !== undefined) {
      const doc = await model.findById(known).lean<T>();
      if (doc?.[field] === value) return doc;
      idOf.delete(value);
    }
    const doc = await model.findOne({ [field]: value }).lean<T>();
    if (doc) {
      // Oldest first out: a Map iterates in insertion order.
      if (idOf.size >= maxRemembered) idOf.delete(idOf.keys().next().value!);
      idOf.set(value, doc._id);
    }
    return doc;
  };
}

export const deviceByDeviceId = rememberingLookup(Device, 'deviceId');
export const deviceByTokenHash = rememberingLookup(Device, 'tokenHash');
export const userByTokenHash = rememberingLookup(User, 'tokenHash');
