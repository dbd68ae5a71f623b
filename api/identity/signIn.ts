import { createHash } from 'node:crypto';
import { User } from '../../store/models';
import {
  LockedOut,
  forgetCodeRequests,
  issueCode,
  mailCode,
  verifyCode,
  type OtpSubject,
} from './otp';
import { giveBack, takeAttempt, waitWords, type Backoff } from './throttle';

// Portal sign-in by emailed code, as the same answers for every address. The code,
// its guesses and the waits belong to the email address, not to an account: an
// address without one goes through the same steps (its code is mailed to nobody).
// Source addresses get growing waits of their own, so an attacker waits longer and
// longer while the owner, from anywhere else, can still get a fresh code.

/** From one source address: codes asked for, and codes tried. */
const perSource: Record<'requests' | 'guesses', Backoff> = {
  // Ten addresses' codes, then 10 s doubling to 15 minutes: nobody floods many mailboxes.
  requests: { free: 10, baseMs: 10_000, capMs: 15 * 60_000, forgetMs: 60 * 60_000 },
  // Five wrong codes, then 2 s doubling to 15 minutes; a day of quiet starts over.
  guesses: { free: 5, baseMs: 2_000, capMs: 15 * 60_000, forgetMs: 24 * 3_600_000 },
};

/** Not now: `waitMs` until the next attempt may come, and a sentence saying so. */
export class SlowDown extends Error {
  readonly seconds: number;
  constructor(waitMs: number, say: (wait: string) => string) {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    super(say(waitWords(seconds)));
    this.seconds = seconds;
  }
}

const normal = (email: string) => email.trim().toLowerCase();

/** The sign-in codes of an email address, whether or not it has an account. */
function addressSubject(email: string): OtpSubject {
  const digest = createHash('sha256').update(normal(email)).digest('base64url');
  return { customerId: `email:${digest}`, purpose: 'portal-login' };
}

const sourceKey = (kind: keyof typeof perSource, source: string) => `${kind}:source:${source}`;

/**
 * Issues a code for `email`; returns the mailing to do after the answer has gone
 * (none for an address without an account), so the answer takes as long either way.
 */
export async function requestSignInCode(
  email: string,
  source: string,
): Promise<(() => Promise<void>) | undefined> {
  const waitMs = await takeAttempt(sourceKey('requests', source), perSource.requests);
  if (waitMs > 0) {
    throw new SlowDown(
      waitMs,
      (wait) =>
        `Too many codes were asked for from your network. Please wait ${wait}, then try again.`,
    );
  }
  const subject = addressSubject(email);
  const user = await User.findOne({ email: normal(email) }).lean();
  try {
    const { code } = await issueCode(subject);
    return user ? () => mailCode({ ...subject, email: user.email }, code) : undefined;
  } catch (err) {
    if (!(err instanceof LockedOut)) throw err;
    throw new SlowDown(
      err.until.getTime() - Date.now(),
      (wait) =>
        `Several codes were asked for this address just now. Please wait ${wait} before asking for another: the code in the newest email still works.`,
    );
  }
}

/** The user the code signs in, or undefined for any code that does not (with one answer for all). */
export async function checkSignInCode(email: string, code: string, source: string) {
  const guesses = sourceKey('guesses', source);
  const waitMs = await takeAttempt(guesses, perSource.guesses);
  if (waitMs > 0) {
    throw new SlowDown(
      waitMs,
      (wait) => `Too many wrong codes from your network. Please wait ${wait}, then try again.`,
    );
  }
  const subject = addressSubject(email);
  const user = await User.findOne({ email: normal(email) }).lean();
  const verdict = await verifyCode(subject, code);
  if (verdict !== 'ok' || !user) return undefined;
  // A sign-in is no guess: it neither counts against the source nor slows the next code.
  await Promise.all([giveBack(guesses), forgetCodeRequests(subject)]);
  return user;
}
