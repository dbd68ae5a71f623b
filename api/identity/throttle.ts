import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { SignInThrottle, SignInThrottleClaim } from '../../store/models';

// Growing waits, kept in the database so that every API instance and a restart see
// the same ones. A key (a source address, an email address) gets a few attempts
// free; after that each attempt must wait for the one before it, twice as long each
// time up to a cap. A key left alone long enough starts over.

export interface Backoff {
  /** Attempts with no wait between them. */
  free: number;
  /** The first wait; it doubles with each attempt after that. */
  baseMs: number;
  capMs: number;
  /** After this long without an attempt the key starts over. */
  forgetMs: number;
}

/** The wait after the `count`-th attempt before the next may come. */
export function waitAfter(count: number, policy: Backoff): number {
  if (count < policy.free) return 0;
  return Math.min(policy.capMs, policy.baseMs * 2 ** (count - policy.free));
}

/** "40 seconds", "1 minute 5 seconds", "2 minutes". */
export function waitWords(seconds: number): string {
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (seconds < 60) return unit(seconds, 'second');
  const rest = seconds % 60;
  return unit(Math.floor(seconds / 60), 'minute') + (rest ? ` ${unit(rest, 'second')}` : '');
}

const MAX_RACES = 10;

type ThrottleDoc = { _id: string; rev: number; gen?: string | null; forgetAt: Date };

/**
 * Claims the next revision of `doc` for this writer: true for the one writer that gets
 * it. An insert with a unique id, because on FerretDB a conditional update lets two
 * racing writers both believe they won.
 */
async function claimNext(doc: ThrottleDoc, forgetAt: Date): Promise<boolean> {
  const _id = `${doc.gen ?? doc._id}:${doc.rev + 1}`;
  try {
    await SignInThrottleClaim.create({ _id, forgetAt });
    return true;
  } catch (err) {
    // Taken by another writer (FerretDB sometimes reports the clash as another error).
    if (await SignInThrottleClaim.exists({ _id })) return false;
    throw err;
  }
}

/**
 * Takes one attempt for `key`: 0 when it may go ahead (and counts it), or the
 * milliseconds still to wait (and counts nothing). Each change claims its revision
 * first, so two instances racing for the last slot cannot both have it.
 */
export async function takeAttempt(key: string, policy: Backoff): Promise<number> {
  for (let race = 0; race < MAX_RACES; race++) {
    if (race > 0) await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * race));
    const now = Date.now();
    const doc = await SignInThrottle.findById(key).lean();
    if (doc && doc.forgetAt.getTime() > now && doc.nextAt.getTime() > now) {
      return doc.nextAt.getTime() - now;
    }
    const count = doc && doc.forgetAt.getTime() > now ? doc.count + 1 : 1;
    const next = {
      count,
      nextAt: new Date(now + waitAfter(count, policy)),
      forgetAt: new Date(now + policy.forgetMs),
    };
    if (!doc) {
      const made = await SignInThrottle.create({
        _id: key,
        ...next,
        rev: 0,
        gen: randomUUID(),
      }).catch(async (err: unknown) => {
        // Another request made it first: read theirs. Anything else is a real failure.
        if (await SignInThrottle.exists({ _id: key })) return undefined;
        throw err;
      });
      if (made) return 0;
      continue;
    }
    if (!(await claimNext(doc, next.forgetAt))) continue;
    await SignInThrottle.updateOne({ _id: key }, { $set: { ...next, rev: doc.rev + 1 } });
    return 0;
  }
  // A burst of requests for one key at the same moment: it waits, like any other burst.
  return 1000;
}

/** Gives back an attempt that turned out well (a sign-in), so it does not count against the key. */
export async function giveBack(key: string): Promise<void> {
  for (let race = 0; race < MAX_RACES; race++) {
    const doc = await SignInThrottle.findById(key).lean();
    if (!doc || doc.count <= 0) return;
    if (!(await claimNext(doc, doc.forgetAt))) continue;
    await SignInThrottle.updateOne(
      { _id: key },
      { $set: { count: doc.count - 1, rev: doc.rev + 1 } },
    );
    return;
  }
}

/** Starts a key over (its owner signed in). */
export async function forget(key: string): Promise<void> {
  await SignInThrottle.deleteOne({ _id: key });
}

/** Drops keys left alone long enough that they would start over anyway. */
export async function sweepThrottles(): Promise<void> {
  const due = { forgetAt: mongoose.trusted({ $lte: new Date() }) };
  await Promise.all([SignInThrottle.deleteMany(due), SignInThrottleClaim.deleteMany(due)]);
}
