import { Router, type Request } from 'express';
import { z } from 'zod';
import { Customer, Session, User } from '../../store/models';
import { hashToken, newToken } from '../../store/tokens';
import type { RequireRole } from '../auth';
import { HttpError } from '../errors';
import { LockedOut, attemptsLeft, sendCode, verifyCode } from '../identity/otp';

// Identity: caller-ID checks with an emailed code, and portal sign-in by email code.

const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'an E.164 phone number such as +15551234567');
const VerifyCallerRequest = z.object({ phoneNumber: e164, callerId: e164 });
const LoginRequest = z.object({ email: z.string().email().max(254) });
const LoginVerifyRequest = LoginRequest.extend({ code: z.string().regex(/^\d{6}$/) });

export function authRouter(requireRole: RequireRole, sessionMs: number): Router {
  const router = Router();

  // The original contract; the voice side calls it with its service token.
  router.post('/auth/verify-caller', requireRole('service', 'operator'), async (req, res) => {
    const body = VerifyCallerRequest.parse(req.body);
    const customer =
      body.phoneNumber === body.callerId
        ? await Customer.findOne({ primaryPhone: body.phoneNumber }).lean()
        : null;
    if (!customer) throw new HttpError(401, 'CALLER_ID_INVALID', 'Caller ID mismatch');
    const sent = await send(() =>
      sendCode({ customerId: customer._id, email: customer.email, purpose: 'phone-approval' }),
    );
    res.json({ otpSent: true, sessionId: sent.id });
  });

  // Always the same answer, so the form cannot tell who has an account.
  router.post('/auth/login', async (req, res) => {
    const { email } = LoginRequest.parse(req.body);
    const user = await User.findOne({ email: email.toLowerCase() }).lean();
    if (user) {
      await send(() =>
        sendCode({ customerId: user._id, email: user.email, purpose: 'portal-login' }),
      );
    }
    res.status(202).json({ otpSent: true });
  });

  router.post('/auth/login/verify', async (req, res) => {
    const { email, code } = LoginVerifyRequest.parse(req.body);
    const user = await User.findOne({ email: email.toLowerCase() }).lean();
    if (!user) throw new HttpError(401, 'CODE_WRONG', 'That code is not right');
    const subject = { customerId: user._id, purpose: 'portal-login' as const };
    const verdict = await verifyCode(subject, code);
    if (verdict === 'locked') {
      throw new HttpError(429, 'LOCKED', 'Too many wrong codes: try again in 15 minutes');
    }
    if (verdict === 'expired') {
      throw new HttpError(401, 'CODE_EXPIRED', 'That code has expired: ask for a new one');
    }
    if (verdict === 'wrong') {
      const left = await attemptsLeft(subject);
      throw new HttpError(401, 'CODE_WRONG', `That code is not right (${left} tries left)`);
    }
    const token = newToken('zs');
    const expiresAt = new Date(Date.now() + sessionMs);
    await Session.create({ _id: hashToken(token), userId: user._id, expiresAt });
    res.json({ token, role: user.role, customerId: user.customerId, expiresAt });
  });

  router.post('/auth/logout', requireRole('customer', 'operator'), async (req: Request, res) => {
    const token = req.get('authorization')?.replace(/^Bearer /, '') ?? '';
    await Session.deleteOne({ _id: hashToken(token) });
    res.status(204).end();
  });

  return router;
}

async function send<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof LockedOut) {
      throw new HttpError(429, 'LOCKED', 'Too many wrong codes: try again in 15 minutes');
    }
    throw err;
  }
}
