import {
  LoginRequest,
  LoginVerifyRequest,
  RefreshRequest,
  VerifyCallerRequest,
} from '../../contracts/api';
import { caseReaders, type RouteSpec } from '../routeSpec';

// Sign-in by emailed code, sessions, and the phone's caller check.

export const identityRoutes: RouteSpec[] = [
  {
    method: 'POST',
    path: '/api/auth/verify-caller',
    summary: 'Caller-ID check; emails a one-time code',
    access: { roles: ['service', 'operator'] },
    body: VerifyCallerRequest,
  },
  {
    method: 'POST',
    path: '/api/auth/login',
    summary: 'Email a sign-in code (same answer for any address)',
    access: { public: 'anyone' },
    body: LoginRequest,
    answers: {
      '202': '{otpSent: true}, whether or not the address has an account',
      '429':
        'SLOW_DOWN: too many codes for this address or from this source; wait Retry-After seconds',
    },
  },
  {
    method: 'POST',
    path: '/api/auth/login/verify',
    summary: 'Trade the code for a sign-in (cookies, or tokens with session=bearer)',
    access: { public: 'anyone' },
    body: LoginVerifyRequest,
    answers: {
      '401':
        'CODE_WRONG: any code that does not sign in (wrong, used, expired, guessed at five times, or no account), one answer for all',
      '429': 'SLOW_DOWN: too many wrong codes from this source; wait Retry-After seconds',
    },
  },
  {
    method: 'POST',
    path: '/api/auth/refresh',
    summary: 'A new 15-minute access token for the refresh token (rotated)',
    access: { public: 'anyone' },
    body: RefreshRequest,
  },
  {
    method: 'GET',
    path: '/api/auth/session',
    summary: 'Who is signed in',
    access: { roles: caseReaders },
  },
  {
    method: 'POST',
    path: '/api/auth/logout',
    summary: 'End the sign-in the caller holds',
    access: { public: 'anyone' },
    body: RefreshRequest,
  },
];
