import { z } from 'zod';

// Shared vocabulary of a support case: used by the workflow, the API, the
// portal and the agent alike.

export const caseStatuses = [
  'open',
  'diagnosing',
  'awaiting_approval',
  'awaiting_customer',
  'fixing',
  'verifying',
  /** Handed to the technicians; nobody has claimed it yet. */
  'awaiting_technician',
  /** A technician has claimed it and works on it (workflows/technician.ts). */
  'with_technician',
  'resolved',
  /** Cases from before the technician phase, and handed-over cases nobody claimed in time. */
  'escalated',
  /** A technician closed it: it cannot be fixed from here (a visit, the ISP, …). */
  'not_fixable_remotely',
  'cancelled',
] as const;
export const CaseStatus = z.enum(caseStatuses);
export type CaseStatus = z.infer<typeof CaseStatus>;

export const closedStatuses: readonly CaseStatus[] = [
  'resolved',
  'escalated',
  'not_fixable_remotely',
  'cancelled',
];

/**
 * How a case or a step came in: the portal (a signed-in person), a phone call, the Zen box
 * itself, or the API with a personal API token (scripts, `npm run demo`, integrations).
 */
export const CaseChannel = z.enum(['portal', 'phone', 'agent', 'api']);
export type CaseChannel = z.infer<typeof CaseChannel>;

export const IssueCategory = z.enum([
  'unknown',
  'none',
  'dns',
  'dhcp',
  'gateway',
  'modem',
  'isp',
  'packet-loss',
  'link',
  'filtering',
  'clock',
  'ip-conflict',
  'ipv6',
  'wifi',
  'performance',
  'lan-device',
]);
export type IssueCategory = z.infer<typeof IssueCategory>;

/** Who acted, as audit entries and workflow inputs keep it (contracts/tenancy.ts AccessRole says who a route admits). */
export const Role = z.enum(['customer', 'operator', 'partner', 'device', 'service']);
export type Role = z.infer<typeof Role>;

/** Who did something: kept on every audit entry. */
export const Actor = z.object({
  id: z.string().min(1).max(200),
  role: Role,
  customerId: z.string().max(100).optional(),
});
export type Actor = z.infer<typeof Actor>;
