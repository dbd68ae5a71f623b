import { loadConfig } from '../config';
import type { SlaSettings } from '../contracts/technician';

// When a handed-over case's service levels fall due, for the operators' queue: the first
// response counts from the hand-over, the resolution from the case's opening
// (contracts/technician.ts). The customer's own levels when set, the defaults otherwise.

const defaults = loadConfig().sla;

export interface SlaDue {
  firstResponseBy: string;
  resolutionBy: string;
}

export function slaDue(
  doc: { createdAt?: Date; handedOverAt?: Date | null },
  customerSla?: { [K in keyof SlaSettings]?: number | null } | null,
): SlaDue | undefined {
  if (!doc.handedOverAt || !doc.createdAt) return undefined;
  const firstResponseMinutes = customerSla?.firstResponseMinutes ?? defaults.firstResponseMinutes;
  const resolutionMinutes = customerSla?.resolutionMinutes ?? defaults.resolutionMinutes;
  return {
    firstResponseBy: new Date(
      doc.handedOverAt.getTime() + firstResponseMinutes * 60_000,
    ).toISOString(),
    resolutionBy: new Date(doc.createdAt.getTime() + resolutionMinutes * 60_000).toISOString(),
  };
}
