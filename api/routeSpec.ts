import type { z } from 'zod';
import type { AccessRole } from '../contracts/tenancy';

// One route of the HTTP API as data (api/routeSpecs/ lists them by area; api/openapi.ts
// makes the OpenAPI document of them all), and the role lists routes share.

/** Who may call a route: roles by token, or one of the doors that take no token. */
export type Access =
  | { roles: AccessRole[] }
  | {
      public: 'anyone' | 'telnyx-signature' | 'metrics-token' | 'enrollment-code' | 'rating-link';
    };

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Express style: /api/cases/:id */
  path: string;
  summary: string;
  access: Access;
  body?: z.ZodType;
  query?: z.ZodType;
  /** What a 200 answer holds, where the document describes it. */
  response?: z.ZodType;
  /** Answers particular to this route, by status: what each means. */
  answers?: Record<string, string>;
}

/** A customer's people, and those who serve them: a partner its own customers, operators all. */
export const caseReaders: AccessRole[] = ['customer', 'partner', 'operator'];
/** Those who work cases for customers: operators, and a partner for its own customers. */
export const technicians: AccessRole[] = ['operator', 'partner'];
/** Managing a customer's boxes: its admins, its partner, operators. */
export const managers: AccessRole[] = ['customer_admin', 'partner', 'operator'];
