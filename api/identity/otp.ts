import { randomInt, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { OneTimeCode } from '../../store/models';
import { sendMail } from './mailer';

// Email one-time codes: six digits, five minutes, five attempts then a lockout.
// Only a salted scrypt hash of the code is stored.

const scrypt = promisify(scryptCb) as (code: string, salt: Buffer, len: number) => Promise<Buffer>;

export const CODE_TTL_MS = 5 * 60_000;
export const MAX_ATTEMPTS = 5;
export const LOCKOUT_MS = 15 * 60_000;

export type OtpPurpose = 'phone-approval' | 'portal-login';

/** Whose code: the customer for phone approvals, the user for portal sign-in. */
export interface OtpSubject {
  customerId: string;
  purpose: OtpPurpose;
}

export class LockedOut extends Error {
  constructor(readonly until: Date) {
    super(`Too many wrong codes: locked until ${until.toISOString()}`);
  }
}

const idOf = (s: OtpSubject) => `${s.purpose}:${s.customerId}`;
const now = () => new Date();

async function hash(code: string, salt: Buffer): Promise<Buffer> {
  return scrypt(code, salt, 32);
}

const purposeText: Record<OtpPurpose, string> = {
  'phone-approval': 'to approve a fix over the phone',
  'portal-login': 'to sign in to the Zen & Zen portal',
};

/**
 * Sends a fresh code (replacing any earlier one) unless the subject is locked out.
 * `about` says in the e-mail what the code would approve (plain words, no secrets).
 */
export async function sendCode(
  subject: OtpSubject & { email: string; about?: string },
): Promise<{ sent: true; expiresAt: Date; id: string }> {
  const existing = await OneTimeCode.findById(idOf(subject)).lean();
  if (existing?.lockedUntil && existing.lockedUntil > now()) {
    throw new LockedOut(existing.lockedUntil);
  }
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const salt = randomBytes(16);
  const expiresAt = new Date(Date.now() + CODE_TTL_MS);
  const publicId = `auth_${randomBytes(9).toString('base64url')}`;
  await OneTimeCode.updateOne(
    { _id: idOf(subject) },
    {
      $set: {
        publicId,
        codeHash: (await hash(code, salt)).toString('hex'),
        salt: salt.toString('hex'),
        expiresAt,
        attempts: 0,
        lockedUntil: null,
      },
    },
    { upsert: true },
  );
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
  return { sent: true, expiresAt, id: publicId };
}

export type VerifyResult = 'ok' | 'wrong' | 'expired' | 'locked';

/** Checks a code; each code works once, and the fifth wrong one locks the subject out. */
export async function verifyCode(subject: OtpSubject, code: string): Promise<VerifyResult> {
  const id = idOf(subject);
  const record = await OneTimeCode.findById(id).lean();
  if (!record) return 'expired';
  if (record.lockedUntil && record.lockedUntil > now()) return 'locked';
  if (!record.codeHash || !record.expiresAt || record.expiresAt <= now()) return 'expired';
  const given = /^\d{6}$/.test(code) ? await hash(code, Buffer.from(record.salt!, 'hex')) : null;
  if (given && timingSafeEqual(given, Buffer.from(record.codeHash, 'hex'))) {
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
    await OneTimeCode.updateOne(
      { _id: id },
      { $set: { lockedUntil: new Date(Date.now() + LOCKOUT_MS), codeHash: null } },
    );
    return 'locked';
  }
  return 'wrong';
}

/** Attempts left before the lockout, for a helpful message. */
export async function attemptsLeft(subject: OtpSubject): Promise<number> {
  const record = await OneTimeCode.findById(idOf(subject)).lean();
  return Math.max(0, MAX_ATTEMPTS - (record?.attempts ?? 0));
}
