import mongoose from 'mongoose';
import './models';
import './apiTokens';
import { moveUserTokens } from './moveUserTokens';

// One mongoose connection per process; the indexes of every model defined by then (the
// store modules define theirs when imported) are built once at connect time.

mongoose.set('sanitizeFilter', true);
mongoose.set('strictQuery', true);

export async function connectStore(url: string): Promise<typeof mongoose> {
  await mongoose.connect(url, { serverSelectionTimeoutMS: 5000, autoIndex: false });
  await Promise.all(mongoose.modelNames().map((name) => mongoose.model(name).createIndexes()));
  // One-time and idempotent: before anything can look a user's old API token up.
  await moveUserTokens();
  return mongoose;
}

export async function disconnectStore(): Promise<void> {
  await mongoose.disconnect();
}

/** True when the server answers a ping right now. */
export async function storeReachable(): Promise<boolean> {
  const db = mongoose.connection.db;
  if (mongoose.connection.readyState !== 1 || !db) return false;
  try {
    await db.admin().ping({ maxTimeMS: 2000 });
    return true;
  } catch {
    return false;
  }
}
