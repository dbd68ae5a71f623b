import type { SlaSettings } from '../contracts/technician';

// When a handed-over case's service levels fall due, for the operators' queue: the first
// response counts from the hand-over, the resolution from the case's opening
// (contracts/technician.ts), against the levels the case was opened with (on its document
// since the hand-over; for older documents, the customer's current ones).

export interface SlaDue {
  firstResponseBy: string;
  resolutionBy: string;
}

export function slaDue(
  doc: { createdAt?: Date; handedOverAt?: Date | null },
  sla: SlaSettings | undefined,
): SlaDue | undefined {
  if (!doc.handedOverAt || !doc.createdAt || !sla) return undefined;
  const after = (from: Date, minutes: number) =>
    new Date(from.getTime() + minutes * 60_000).toISOString();
  return {
    firstResponseBy: after(doc.handedOverAt, sla.firstResponseMinutes),
    resolutionBy: after(doc.createdAt, sla.resolutionMinutes),
  };
}
