import { Router, type CookieOptions, type Request, type Response } from 'express';
import { z } from 'zod';
import { Customer, Session, User } from '../../store/models';
import { hashToken, newToken } from '../../store/tokens';
import { SESSION_COOKIE, requestToken, type RequireRole } from '../auth';
import { HttpError } from '../errors';
import { LockedOut, attemptsLeft, sendCode, verifyCode } from '../identity/otp';

// Identity: caller-ID checks with an emailed code, and portal sign-in by email code.
// A portal sign-in lives in an httpOnly cookie; API clients may ask for a bearer token.

const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'an E.164 phone number such as +15551234567');
const VerifyCallerRequest = z.object({ phoneNumber: e164, callerId: e164 });
const LoginRequest = z.object({ email: z.string().email().max(254) });
const LoginVerifyRequest = LoginRequest.extend({
  code: z.string().regex(/^\d{6}$/),
  /** cookie (the portal): the token never reaches page scripts; bearer: it is returned. */
  session: z.enum(['cookie', 'bearer']).default('cookie'),
});

/** After a refresh the old token still works this long, so parallel tabs do not sign out. */
const ROTATION_GRACE_MS = 30_000;

export interface SessionOptions {
  /** How long a portal sign-in lasts. */
  sessionMs: number;
  /** The portal is served over https: cookies are Secure even when the hop to the API is not. */
  secureCookies: boolean;
}

export function authRouter(requireRole: RequireRole, options: SessionOptions): Router {
  const router = Router();
  const { sessionMs } = options;
  const cookieOptions = (req: Request): CookieOptions => ({
    httpOnly: true,
    sameSite: 'lax',
    secure: options.secureCookies || req.secure,
    path: '/',
  });
  const setSessionCookie = (req: Request, res: Response, token: string, expiresAt: Date) =>
    res.cookie(SESSION_COOKIE, token, { ...cookieOptions(req), expires: expiresAt });

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
    const body = LoginVerifyRequest.parse(req.body);
    const { email, code } = body;
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
    const { token, expiresAt } = await startSession(user._id, sessionMs);
    const identity = { role: user.role, customerId: user.customerId ?? undefined, expiresAt };
    if (body.session === 'bearer') {
      res.json({ token, ...identity });
      return;
    }
    setSessionCookie(req, res, token, expiresAt);
    res.json(identity);
  });

  /**
   * Extends the portal session by rotating its token. The portal calls it once on a 401 and
   * retries, so swapping sessions for short-lived access tokens stays a server-side change.
   */
  router.post('/auth/refresh', async (req, res) => {
    const token = requestToken(req);
    const session = token?.startsWith('zs_')
      ? await Session.findById(hashToken(token)).lean()
      : null;
    if (!token || !session || session.expiresAt <= new Date()) {
      res.clearCookie(SESSION_COOKIE, cookieOptions(req));
      throw new HttpError(401, 'UNAUTHENTICATED', 'No session to refresh: sign in again');
    }
    const user = await User.findById(session.userId).lean();
    if (!user) throw new HttpError(401, 'UNAUTHENTICATED', 'No session to refresh: sign in again');
    const fresh = await startSession(user._id, sessionMs);
    const graceEnd = new Date(Date.now() + ROTATION_GRACE_MS);
    if (session.expiresAt > graceEnd) {
      await Session.updateOne({ _id: session._id }, { $set: { expiresAt: graceEnd } });
    }
    setSessionCookie(req, res, fresh.token, fresh.expiresAt);
    res.json({
      role: user.role,
      customerId: user.customerId ?? undefined,
      expiresAt: fresh.expiresAt,
    });
  });

  /** Who is signed in: the portal asks on load. */
  router.get('/auth/session', requireRole('customer', 'operator'), async (req, res) => {
    const principal = req.principal!;
    const user = await User.findById(principal.id).lean();
    const token = requestToken(req)!;
    const session = token.startsWith('zs_')
      ? await Session.findById(hashToken(token)).lean()
      : null;
    const customer = principal.customerId
      ? await Customer.findById(principal.customerId).lean()
      : null;
    res.json({
      userId: principal.id,
      role: principal.role,
      email: user?.email,
      name: user?.name ?? undefined,
      customerId: principal.customerId,
      businessName: customer?.businessName,
      expiresAt: session?.expiresAt,
    });
  });

  router.post('/auth/logout', requireRole('customer', 'operator'), async (req, res) => {
    await Session.deleteOne({ _id: hashToken(requestToken(req)!) });
    res.clearCookie(SESSION_COOKIE, cookieOptions(req));
    res.status(204).end();
  });

  return router;
}

async function startSession(userId: string, sessionMs: number) {
  const token = newToken('zs');
  const expiresAt = new Date(Date.now() + sessionMs);
  await Session.create({ _id: hashToken(token), userId, expiresAt });
  return { token, expiresAt };
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
