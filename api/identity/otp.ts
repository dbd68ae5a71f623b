import { randomInt, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import mongoose from 'mongoose';
import { OneTimeCode } from '../../store/models';
import { sendMail } from './mailer';
import { forget, sweepThrottles, takeAttempt, type Backoff } from './throttle';

// Email one-time codes: six digits, five minutes, once. Only a salted scrypt hash is
// stored. Five wrong guesses kill the code (guessing cannot succeed), but nobody is
// locked out: the owner can ask for a fresh code, which starts over. Fresh codes for
// one person come with growing waits, so nobody can flood their mailbox.

const scrypt = promisify(scryptCb) as (code: string, salt: Buffer, len: number) => Promise<Buffer>;

export const CODE_TTL_MS = 5 * 60_000;
/** Wrong guesses a code takes before it dies. */
export const MAX_ATTEMPTS = 5;

export type OtpPurpose = 'phone-approval' | 'portal-login';

/**
 * Whose code: the customer for phone approvals; for portal sign-in, the email
 * address (signIn.ts), so that an address without an account behaves the same.
 */
export interface OtpSubject {
  customerId: string;
  purpose: OtpPurpose;
}

/**
 * Waits between fresh codes for one subject. Sign-in: three at once, then 30 s,
 * doubling to 10 minutes. The phone sends one per fix waiting in a call: ten an hour.
 */
const freshCodeWaits: Record<OtpPurpose, Backoff> = {
  'portal-login': { free: 3, baseMs: 30_000, capMs: 10 * 60_000, forgetMs: 60 * 60_000 },
  'phone-approval': { free: 10, baseMs: 30_000, capMs: 10 * 60_000, forgetMs: 60 * 60_000 },
};

/** No fresh code yet: too many were asked for just now; `until` is when the next may come. */
export class LockedOut extends Error {
  constructor(readonly until: Date) {
    super(`Too many codes asked for: the next one after ${until.toISOString()}`);
  }
}

const idOf = (s: OtpSubject) => `${s.purpose}:${s.customerId}`;
const requestsKey = (s: OtpSubject) => `codes:${idOf(s)}`;

async function hash(code: string, salt: Buffer): Promise<Buffer> {
  return scrypt(code, salt, 32);
}

/** Hashed when there is no code to compare with, so the answer takes as long either way. */
const decoySalt = randomBytes(16);

const purposeText: Record<OtpPurpose, string> = {
  'phone-approval': 'to approve a fix over the phone',
  'portal-login': 'to sign in to the Zen & Zen portal',
};

export interface IssuedCode {
  code: string;
  expiresAt: Date;
  id: string;
}

/**
 * Makes and stores a fresh code (replacing any earlier one) and returns it in clear
 * for the email; throws LockedOut while the subject must wait for a fresh code.
 */
export async function issueCode(subject: OtpSubject): Promise<IssuedCode> {
  const waitMs = await takeAttempt(requestsKey(subject), freshCodeWaits[subject.purpose]);
  if (waitMs > 0) throw new LockedOut(new Date(Date.now() + waitMs));
  await sweep();
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const salt = randomBytes(16);
  const expiresAt = new Date(Date.now() + CODE_TTL_MS);
  const id = `auth_${randomBytes(9).toString('base64url')}`;
  await OneTimeCode.updateOne(
    { _id: idOf(subject) },
    {
      $set: {
        publicId: id,
        codeHash: (await hash(code, salt)).toString('hex'),
        salt: salt.toString('hex'),
        expiresAt,
        attempts: 0,
      },
    },
    { upsert: true },
  );
  return { code, expiresAt, id };
}

/** Emails an issued code. `about` says what the code would approve (plain words, no secrets). */
export async function mailCode(
  subject: OtpSubject & { email: string; about?: string },
  code: string,
): Promise<void> {
  await sendMail({
    to: subject.email,
    subject: `Your Zen & Zen code: ${code}`,
    text: [
      `Your one-time code ${purposeText[subject.purpose]} is ${code}.`,
      ...(subject.about ? ['', `It approves: ${subject.about}`] : []),
      '',
      'It works once and expires in 5 minutes. If you did not ask for it, you can ignore this email.',
    ].join('\n'),
  });
}

/** Issues a fresh code and emails it; throws LockedOut while the subject must wait. */
export async function sendCode(
  subject: OtpSubject & { email: string; about?: string },
): Promise<{ sent: true; expiresAt: Date; id: string }> {
  const issued = await issueCode(subject);
  await mailCode(subject, issued.code);
  return { sent: true, expiresAt: issued.expiresAt, id: issued.id };
}

/** `locked`: this code took too many wrong guesses and no longer works; a fresh one will. */
export type VerifyResult = 'ok' | 'wrong' | 'expired' | 'locked';

/** Checks a code; each code works once, and the fifth wrong guess kills it. */
export async function verifyCode(subject: OtpSubject, code: string): Promise<VerifyResult> {
  const id = idOf(subject);
  const record = await OneTimeCode.findById(id).lean();
  const live = record?.codeHash && record.expiresAt && record.expiresAt > new Date();
  const given = await hash(code, live ? Buffer.from(record.salt!, 'hex') : decoySalt);
  if (!live) return record && !record.codeHash ? 'locked' : 'expired';
  if (/^\d{6}$/.test(code) && timingSafeEqual(given, Buffer.from(record.codeHash!, 'hex'))) {
    // Used once: a concurrent second use finds nothing to delete.
    const used = await OneTimeCode.deleteOne({ _id: id, codeHash: record.codeHash });
    return used.deletedCount === 1 ? 'ok' : 'expired';
  }
  // $inc so that concurrent guesses all count.
  const after = await OneTimeCode.findOneAndUpdate(
    { _id: id },
    { $inc: { attempts: 1 } },
    { new: true },
  ).lean();
  if ((after?.attempts ?? MAX_ATTEMPTS) >= MAX_ATTEMPTS) {
    await OneTimeCode.updateOne({ _id: id }, { $set: { codeHash: null } });
    return 'locked';
  }
  return 'wrong';
}

/** Wrong guesses the current code still takes (the phone may say it: the caller ID matched). */
export async function attemptsLeft(subject: OtpSubject): Promise<number> {
  const record = await OneTimeCode.findById(idOf(subject)).lean();
  return Math.max(0, MAX_ATTEMPTS - (record?.attempts ?? 0));
}

/** The subject signed in: their next codes come without waiting. */
export async function forgetCodeRequests(subject: OtpSubject): Promise<void> {
  await forget(requestsKey(subject));
}

/** How often one API process clears out what has expired: not on every code asked for. */
const SWEEP_EVERY_MS = 60_000;
let sweptAt = 0;

/** Codes past their time and quiet throttles go: sign-in keeps them for any address typed in. */
async function sweep(): Promise<void> {
  if (Date.now() - sweptAt < SWEEP_EVERY_MS) return;
  sweptAt = Date.now();
  await OneTimeCode.deleteMany({ expiresAt: mongoose.trusted({ $lte: new Date() }) });
  await sweepThrottles();
}
