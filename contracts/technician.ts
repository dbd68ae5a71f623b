import { z } from 'zod';
import { CheckName } from './diagnostics';
import { ActionId } from './remediation';

// A case handed to a person: what a technician can do with it (workflows/technician.ts,
// api/routes/technician.ts), and the service levels its clock runs against.

/** How a technician resolved a case. */
export const ResolutionCode = z.enum([
  /** A catalog fix the technician proposed, approved by the customer and verified. */
  'fixed_remotely',
  /** The customer did something on site, guided by the technician. */
  'customer_fixed_on_site',
  /** It came back by itself (the ISP, a restart nobody asked for). */
  'recovered_by_itself',
  /** The technician found nothing wrong with the office's network. */
  'no_fault_found',
  /** The customer's question was answered: nothing needed fixing. */
  'advice_given',
]);
export type ResolutionCode = z.infer<typeof ResolutionCode>;

/** Why a case cannot be fixed from here. */
export const UnfixableReason = z.enum([
  'onsite_visit',
  'isp_fault',
  'hardware_replacement',
  'customer_equipment',
  'third_party',
  'customer_unreachable',
]);
export type UnfixableReason = z.infer<typeof UnfixableReason>;

/** Internal notes are for operators only; messages the customer sees too. */
export const NoteVisibility = z.enum(['internal', 'customer']);
export type NoteVisibility = z.infer<typeof NoteVisibility>;

const text = (max: number) => z.string().trim().min(1).max(max);

// ---- request bodies (api/routes/technician.ts) ------------------------------

/** Assign a case: without operatorId, the operator asking claims it. */
export const AssignRequest = z
  .object({ operatorId: z.string().min(1).max(100).optional() })
  .strict();
export const NoteRequest = z.object({ text: text(4000), visibility: NoteVisibility }).strict();
export const ChecksRequest = z
  .object({ checks: z.array(CheckName).min(1).max(CheckName.options.length) })
  .strict();
export const TechnicianProposalRequest = z
  .object({
    action: ActionId,
    params: z.record(z.string(), z.unknown()).default({}),
    /** Why: shown to the customer with the fix, as the diagnosis. */
    reason: text(1000),
  })
  .strict();
export const ResolveRequest = z.object({ code: ResolutionCode, summary: text(2000) }).strict();
export const CloseUnfixableRequest = z
  .object({ reason: UnfixableReason, summary: text(2000) })
  .strict();

// ---- service levels ---------------------------------------------------------

/** Per customer (store: customers.sla); the config's defaults otherwise. */
export const SlaSettings = z
  .object({
    /** From the hand-over to a technician's first action on the case. */
    firstResponseMinutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60),
    /** From the case's opening to its close. */
    resolutionMinutes: z
      .number()
      .int()
      .min(1)
      .max(30 * 24 * 60),
  })
  .strict();
export type SlaSettings = z.infer<typeof SlaSettings>;

export const SlaKind = z.enum(['first_response', 'resolution']);
export type SlaKind = z.infer<typeof SlaKind>;

export interface SlaBreach {
  kind: SlaKind;
  /** When the deadline passed (ms since the epoch). */
  at: number;
}
