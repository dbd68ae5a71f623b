import { Router, type CookieOptions, type Request, type Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import {
  LoginRequest,
  LoginVerifyRequest,
  RefreshRequest,
  VerifyCallerRequest,
} from '../../contracts/api';
import { Customer, Session, User } from '../../store/models';
import type { Logger } from '../../observability/logger';
import { hashToken, newToken } from '../../store/tokens';
import type { AccessTokens } from '../accessTokens';
import {
  REFRESH_COOKIE,
  SESSION_COOKIE,
  requestToken,
  type Authenticate,
  type RequireRole,
  type UserRecord,
} from '../auth';
import { HttpError } from '../errors';
import { customerByPhone } from '../tenancy/phones';
import { subscriptionOf } from '../../contracts/tenancy';
import { LockedOut, sendCode } from '../identity/otp';
import { SlowDown, checkSignInCode, requestSignInCode } from '../identity/signIn';

// Identity: caller-ID checks with an emailed code, and portal sign-in by email code.
// A sign-in is a refresh session (stored hashed) plus short-lived access tokens. The
// portal keeps both in httpOnly cookies (the refresh token only ever goes to /api/auth);
// API clients may ask for them in the body instead.

/** After a refresh the old token still works this long, so parallel tabs do not sign out. */
const ROTATION_GRACE_MS = 30_000;

export interface SessionOptions {
  /** How long a portal sign-in lasts. */
  sessionMs: number;
  /** The portal is served over https: cookies are Secure even when the hop to the API is not. */
  secureCookies: boolean;
  accessTokens: AccessTokens;
  authenticate: Authenticate;
  /** Where a code email that failed after the answer went is reported. */
  logger: Logger;
}

export function authRouter(requireRole: RequireRole, options: SessionOptions): Router {
  const router = Router();
  const { sessionMs, accessTokens, authenticate, logger } = options;
  const cookieOptions = (req: Request, path = '/'): CookieOptions => ({
    httpOnly: true,
    sameSite: 'lax',
    secure: options.secureCookies || req.secure,
    path,
  });
  const refreshPath = '/api/auth';

  /** A fresh access token for a refresh session; in cookies, or in the body for API clients. */
  async function signedIn(
    req: Request,
    res: Response,
    user: UserRecord,
    session: { token: string; expiresAt: Date },
    mode: 'cookie' | 'bearer',
  ) {
    const access = await accessTokens.issue({
      userId: user._id,
      role: user.role,
      customerId: user.customerId ?? undefined,
      sessionId: hashToken(session.token),
    });
    const identity = {
      role: user.role,
      customerId: user.customerId ?? undefined,
      accessExpiresAt: access.expiresAt,
      expiresAt: session.expiresAt,
    };
    if (mode === 'bearer') {
      res.json({ token: access.token, refreshToken: session.token, ...identity });
      return;
    }
    res.cookie(SESSION_COOKIE, access.token, { ...cookieOptions(req), expires: access.expiresAt });
    res.cookie(REFRESH_COOKIE, session.token, {
      ...cookieOptions(req, refreshPath),
      expires: session.expiresAt,
    });
    res.json(identity);
  }

  function signedOut(req: Request, res: Response) {
    res.clearCookie(SESSION_COOKIE, cookieOptions(req));
    res.clearCookie(REFRESH_COOKIE, cookieOptions(req, refreshPath));
  }

  function refreshTokenOf(req: Request): string | undefined {
    const { refreshToken } = RefreshRequest.parse(req.body ?? {});
    const cookie = (req.cookies as Record<string, unknown> | undefined)?.[REFRESH_COOKIE];
    const token = refreshToken ?? (typeof cookie === 'string' ? cookie : undefined);
    return token?.startsWith('zs_') ? token : undefined;
  }

  // The original contract; the voice side calls it with its service token.
  router.post('/auth/verify-caller', requireRole('service', 'operator'), async (req, res) => {
    const body = VerifyCallerRequest.parse(req.body);
    const customer =
      body.phoneNumber === body.callerId ? await customerByPhone(body.phoneNumber) : null;
    if (!customer) throw new HttpError(401, 'CALLER_ID_INVALID', 'Caller ID mismatch');
    const sent = await slowDownAsHttp(res, () =>
      sendCode({ customerId: customer._id, email: customer.email, purpose: 'phone-approval' }),
    );
    res.json({ otpSent: true, sessionId: sent.id });
  });

  // The same answers for every address, at both steps, so the form cannot tell who has
  // an account: the code and its waits belong to the address (identity/signIn.ts).
  router.post('/auth/login', async (req, res) => {
    const { email } = LoginRequest.parse(req.body);
    const mail = await slowDownAsHttp(res, () => requestSignInCode(email, sourceOf(req)));
    // Mailed after the answer has gone, so it takes no longer for a real account.
    if (mail) {
      res.once('finish', () => {
        mail().catch((err: unknown) => logger.error({ err }, 'could not email a sign-in code'));
      });
    }
    res.status(202).json({ otpSent: true });
  });

  router.post('/auth/login/verify', async (req, res) => {
    const body = LoginVerifyRequest.parse(req.body);
    const user = await slowDownAsHttp(res, () =>
      checkSignInCode(body.email, body.code, sourceOf(req)),
    );
    if (!user) {
      // Wrong, expired, used, guessed at too often, or no account: one answer for all.
      throw new HttpError(
        401,
        'CODE_WRONG',
        'That code did not work. Check it against the newest email from us, or ask for a new code.',
      );
    }
    await signedIn(req, res, user, await startSession(user._id, sessionMs), body.session);
  });

  /**
   * A new access token for a valid refresh token, which is rotated. The portal calls it
   * once on a 401 and retries. The old refresh token keeps working a few seconds, so
   * parallel tabs refreshing at once do not sign each other out.
   */
  router.post('/auth/refresh', async (req, res) => {
    const token = refreshTokenOf(req);
    const session = token ? await Session.findById(hashToken(token)).lean() : null;
    const user =
      session && session.expiresAt > new Date() ? await User.findById(session.userId).lean() : null;
    if (!session || !user) {
      signedOut(req, res);
      throw new HttpError(401, 'UNAUTHENTICATED', 'No session to refresh: sign in again');
    }
    const graceEnd = new Date(Date.now() + ROTATION_GRACE_MS);
    if (session.expiresAt > graceEnd) {
      await Session.updateOne({ _id: session._id }, { $set: { expiresAt: graceEnd } });
    }
    const mode = req.body?.refreshToken ? 'bearer' : 'cookie';
    await signedIn(req, res, user, await startSession(user._id, sessionMs), mode);
  });

  /** Who is signed in: the portal asks on load. */
  router.get('/auth/session', requireRole('customer', 'operator'), async (req, res) => {
    const principal = req.principal!;
    const user = await User.findById(principal.id).lean();
    const session = principal.sessionId ? await Session.findById(principal.sessionId).lean() : null;
    const customer = principal.customerId
      ? await Customer.findById(principal.customerId).lean()
      : null;
    const subscription = customer ? subscriptionOf(customer.subscriptionStatus) : undefined;
    res.json({
      userId: principal.id,
      role: principal.role,
      admin: principal.admin,
      partnerId: principal.partnerId,
      email: user?.email,
      name: user?.name ?? undefined,
      customerId: principal.customerId,
      businessName: customer?.businessName,
      // What the customer's subscription means for them, for the portal to show.
      subscription: subscription && { status: subscription.status, notice: subscription.notice },
      expiresAt: session?.expiresAt,
    });
  });

  /** Ends the sign-in the caller holds (refresh session and cookies); needs no valid access token. */
  router.post('/auth/logout', async (req, res) => {
    const refresh = refreshTokenOf(req);
    if (refresh) await Session.deleteOne({ _id: hashToken(refresh) });
    const access = requestToken(req);
    const sessionId = access ? (await authenticate(access))?.sessionId : undefined;
    if (sessionId) await Session.deleteOne({ _id: sessionId });
    signedOut(req, res);
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

/** The address the request came from (through the trusted proxy); IPv6 by its /56. */
const sourceOf = (req: Request) => ipKeyGenerator(req.ip ?? 'unknown');

/** A throttle's wait as 429 with Retry-After and the real wait in words. */
async function slowDownAsHttp<T>(res: Response, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    const wait =
      err instanceof LockedOut
        ? new SlowDown(
            err.until.getTime() - Date.now(),
            (words) => `Too many codes were asked for just now. Please wait ${words}.`,
          )
        : err;
    if (!(wait instanceof SlowDown)) throw err;
    res.set('Retry-After', String(wait.seconds));
    throw new HttpError(429, 'SLOW_DOWN', wait.message);
  }
}
