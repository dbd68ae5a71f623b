import { z } from 'zod';
import { checkNames } from './checks';
import { CaseStatus, IssueCategory } from './case';
import { CloudPath, DeviceCommand, Heartbeat, LteData } from './device';
import { CheckResult } from './diagnostics';
import { PageQuery, SubscriptionStatus } from './tenancy';

// Request bodies accepted at the API's edge.

/**
 * POST /api/cases. The channel is not the caller's to say: it follows from how the request
 * was authenticated (api/openCase.ts channelOf); a `channel` sent by older clients is ignored.
 */
export const OpenCaseRequest = z.object({
  deviceId: z.string().min(1).max(100),
  description: z.string().max(2000).optional(),
});
export type OpenCaseRequest = z.infer<typeof OpenCaseRequest>;

/** POST /api/cases/:id/still-broken: the customer's own words, optional and bounded. */
export const StillBrokenRequest = z
  .object({ words: z.string().trim().max(2000).optional() })
  .strict();
export type StillBrokenRequest = z.infer<typeof StillBrokenRequest>;

/** POST /api/remediation/approve, as the original contract designed it. */
export const ApproveRequest = z.object({
  sessionId: z.string().min(1).max(100),
  actionId: z.string().min(1).max(200),
  approved: z.boolean(),
  userNote: z.string().max(1000).optional(),
});

/** POST /api/device/register: a device re-registering, or a user enrolling a new one. */
export const RegisterDeviceRequest = z.object({
  deviceId: z
    .string()
    .min(3)
    .max(100)
    .regex(/^[\w.-]+$/),
  serialNumber: z.string().min(1).max(100),
  networkInfo: z
    .object({
      interfaces: z.array(z.string().max(32)).max(16).optional(),
      defaultGateway: z.string().max(64).optional(),
    })
    .optional(),
  /** Only when a user enrolls a device: the site it belongs to (default: the first). */
  siteId: z.string().max(100).optional(),
});

/** The enrollment code a person reads to the Pi: `ABCD-EFGH` (case and dash optional). */
export const EnrollmentCode = z
  .string()
  .trim()
  .toUpperCase()
  .transform((v) => v.replace(/[\s-]/g, ''))
  .pipe(
    z
      .string()
      .regex(/^[A-HJ-NP-Z2-9]{8}$/, 'An enrollment code is 8 letters or digits, like ABCD-EFGH'),
  );

/** POST /api/devices/enrollment-codes: a customer (own site) or operator asks for a code. */
export const CreateEnrollmentCodeRequest = z.object({
  /** The site the new device will belong to (customers: default their first site). */
  siteId: z.string().min(1).max(100).optional(),
});

/** POST /api/device/enroll: the Pi trades a one-time code for its device token. */
export const EnrollDeviceRequest = RegisterDeviceRequest.omit({ siteId: true }).extend({
  code: EnrollmentCode,
});

/** POST /api/device/diagnostic: a device pushing results it gathered on its own. */
export const DeviceDiagnosticRequest = z.object({
  sessionId: z.string().max(100).optional(),
  diagnosticData: z.object({
    results: z.array(CheckResult).min(1).max(checkNames.length),
    sanitized: z.literal(true),
  }),
});

/** Routes that take no input still refuse a body that says something. */
export const EmptyBody = z.union([z.object({}).strict(), z.undefined()]);

export const CloseCaseRequest = z.object({ reason: z.string().min(1).max(500) });

const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'an E.164 phone number such as +15551234567');

/** POST /api/auth/verify-caller: the original caller-ID check (the voice side, operators). */
export const VerifyCallerRequest = z.object({ phoneNumber: e164, callerId: e164 });

/** POST /api/auth/login: sends a one-time code to a known address (same answer for any). */
export const LoginRequest = z.object({ email: z.string().email().max(254) });

export const LoginVerifyRequest = LoginRequest.extend({
  code: z.string().regex(/^\d{6}$/),
  /** cookie (the portal): the tokens never reach page scripts; bearer: they are returned. */
  session: z.enum(['cookie', 'bearer']).default('cookie'),
});

/** POST /api/auth/refresh and /logout: the refresh token in the body (API clients) or its cookie. */
export const RefreshRequest = z.object({ refreshToken: z.string().max(200).optional() }).strict();

/** PATCH /api/customers/me */
export const CustomerPreferences = z.object({ callOnAgentFault: z.boolean() }).strict();

/**
 * The worker's link to the API: one socket.io connection to this namespace,
 * authenticated with the service token in the handshake's auth. A case sends
 * some twenty messages over it; as HTTP requests each cost both processes
 * about a millisecond of CPU.
 */
export const internalLink = {
  namespace: '/internal',
  /** A stored command for its device (PushCommand), acknowledged with PushCommandAck. */
  pushCommand: 'command:push',
  /** A case's step for the portal and the case's device (CaseStepEvent); not acknowledged. */
  caseStep: 'case:step',
  /** Ring a customer's contact about a case (PlaceCall), acknowledged with PlaceCallAck. */
  placeCall: 'call:place',
} as const;

/** A command the worker stored, sent with it so the API need not read it back before it goes out. */
export const PushCommand = z
  .object({ deviceId: z.string().min(1).max(100), command: DeviceCommand })
  .strict();

/** Whether the device was connected to take the command, or why the push was refused. */
export type PushCommandAck = { sent: boolean } | { error: string };

/**
 * The notifier's phone channel: the API rings `to` (a contact's number, not necessarily the
 * account's primary phone) with the outbound call flow of the customer's case.
 */
export const PlaceCall = z
  .object({
    customerId: z.string().min(1).max(100),
    caseId: z.string().min(1).max(100),
    to: e164,
  })
  .strict();
export type PlaceCall = z.infer<typeof PlaceCall>;

/**
 * placed: Telnyx took the dial. refused: nothing went out; `final` when trying again cannot
 * help (no phone service, no such case). unknown: the dial's fate is not known (it timed out).
 */
export type PlaceCallAck =
  { placed: true; callId?: string } | { refused: string; final?: boolean } | { unknown: string };

/** A case step, relayed to the portal and to the case's device. */
export const CaseStepEvent = z
  .object({
    caseId: z.string().min(1).max(100),
    status: CaseStatus,
    step: z.string().max(2000),
    actionType: z.string().max(100),
    at: z.number().int().nonnegative(),
    /**
     * The step's place in its case (the audit chain's): steps reach the API instances in any
     * order, and an older one relayed late must not undo a newer one.
     */
    seq: z.number().int().nonnegative().optional(),
    /** An internal note: operators only. */
    internal: z.literal(true).optional(),
  })
  .strict();
export type CaseStepEvent = z.infer<typeof CaseStepEvent>;

export interface HealthResponse {
  status: 'ok' | 'degraded';
  temporal: 'ok' | 'unreachable';
  mongo: 'ok' | 'unreachable';
  /** Only with several API instances: the bus between them (api/socketBus.ts). */
  bus?: 'ok' | 'unreachable';
}

const id = z.string().min(1).max(100);
/** `a,b,c` in a query string. */
const listOf = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .max(500)
    .transform((value) => value.split(',').filter(Boolean))
    .pipe(z.array(item).min(1));

/** GET /api/cases: filters; a customer's own scope always applies on top. */
export const ListCasesQuery = z
  .object({
    status: listOf(CaseStatus).optional(),
    category: IssueCategory.optional(),
    customerId: id.optional(),
    deviceId: id.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    /** The `nextCursor` of the page before; absent for the first page (newest first). */
    cursor: PageQuery.shape.cursor,
    /** Part of the business name or of the case summary, any case. */
    q: PageQuery.shape.q,
  })
  .strict();
export type ListCasesQuery = z.infer<typeof ListCasesQuery>;

/** GET /api/devices: the dashboard's devices; a customer's own scope always applies on top. */
export const ListDevicesQuery = z
  .object({
    customerId: id.optional(),
    siteId: id.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(500),
    /** The `nextCursor` of the page before; absent for the first page (by box id). */
    cursor: PageQuery.shape.cursor,
    /** Part of the box id or of the site's name, any case. */
    q: PageQuery.shape.q,
  })
  .strict();
export type ListDevicesQuery = z.infer<typeof ListDevicesQuery>;

/** GET /api/customers: operators see every customer, a partner its own (by business name). */
export const ListCustomersQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).default(1000),
    cursor: PageQuery.shape.cursor,
    /** Part of the business name, any case. */
    q: PageQuery.shape.q,
  })
  .strict();
export type ListCustomersQuery = z.infer<typeof ListCustomersQuery>;

/** How a box reaches the cloud, from its heartbeats. */
export const CloudLinkView = z.object({
  /** wired: the office network; lte: the box's own LTE, because the office network cannot reach the cloud. */
  path: CloudPath,
  /** When the box was first seen on this path (ISO 8601). */
  since: z.iso.datetime().optional(),
  /** LTE data of the month the box last reported; `exhausted`: its budget is used up. */
  lteData: LteData.optional(),
});
export type CloudLinkView = z.infer<typeof CloudLinkView>;

/** One Zen box in GET /api/devices. */
export const DeviceView = z.object({
  deviceId: z.string(),
  customerId: z.string(),
  businessName: z.string().optional(),
  site: z.object({ id: z.string(), name: z.string().optional(), address: z.string().optional() }),
  status: z.enum(['inactive', 'online', 'offline']),
  lastSeen: z.iso.datetime().optional(),
  /** The last heartbeat: LED, uptime, summary, LTE signal. */
  health: Heartbeat.omit({ cloudPath: true, lteData: true }).optional(),
  /** Absent until the box reports its path. */
  cloudLink: CloudLinkView.optional(),
  openCase: z.object({ id: z.string(), status: CaseStatus }).optional(),
});
export type DeviceView = z.infer<typeof DeviceView>;

export const DevicesResponse = z.object({
  devices: z.array(DeviceView),
  /** Absent on the last page. */
  nextCursor: z.string().optional(),
});
export type DevicesResponse = z.infer<typeof DevicesResponse>;

/** One page of GET /api/customers. */
export const CustomersResponse = z.object({
  customers: z.array(
    z.object({
      id: z.string(),
      businessName: z.string(),
      subscriptionStatus: SubscriptionStatus,
      partnerId: z.string().optional(),
    }),
  ),
  /** Absent on the last page. */
  nextCursor: z.string().optional(),
});
export type CustomersResponse = z.infer<typeof CustomersResponse>;
