// Relative, not #shared: jest reads this file too.
import type {
  CaseSla,
  JsonSchema,
  ResolutionCode,
  SlaKind,
  TechnicianPhase,
  UnfixableReason,
} from '../../shared/types/api';
import { durationWords } from './health';

// A case with a technician in words: how it was closed, its service-level clock, and the
// proposal form built from a fix's parameters (JSON Schema from GET /api/fixes).

const RESOLUTION_LABELS: Record<ResolutionCode, string> = {
  fixed_remotely: 'Fixed remotely with an approved fix',
  customer_fixed_on_site: 'Fixed on site by the customer, with our guidance',
  recovered_by_itself: 'It recovered by itself',
  no_fault_found: 'No fault found in the office network',
  advice_given: 'Question answered: nothing needed fixing',
};

export function resolutionLabel(code: ResolutionCode): string {
  return RESOLUTION_LABELS[code] ?? 'Resolved';
}

const UNFIXABLE_LABELS: Record<UnfixableReason, string> = {
  onsite_visit: 'A technician needs to visit',
  isp_fault: "The internet provider's fault",
  hardware_replacement: 'Equipment needs replacing',
  customer_equipment: "The customer's own equipment",
  third_party: 'Another company has to act',
  customer_unreachable: 'We could not reach the customer',
};

export function unfixableLabel(reason: UnfixableReason): string {
  return UNFIXABLE_LABELS[reason] ?? 'It cannot be fixed remotely';
}

export interface SlaLine {
  kind: SlaKind;
  /** "First response" or "Resolution". */
  label: string;
  /** Where it stands, in words. */
  text: string;
  dueAt: number;
  breached: boolean;
}

const SLA_LABELS: Record<SlaKind, string> = {
  first_response: 'First response',
  resolution: 'Resolution',
};

/**
 * The case's two service-level clocks at `now`: the first response counts from the
 * hand-over, the resolution from the opening. A breach the case recorded stays a breach.
 */
export function slaLines(
  input: { sla?: CaseSla; technician?: TechnicianPhase; openedAt: number; closedAt?: number },
  now: number,
): SlaLine[] {
  const { sla, technician } = input;
  if (!sla || !technician) return [];
  const clocks: { kind: SlaKind; dueAt: number; doneAt?: number }[] = [
    {
      kind: 'first_response',
      dueAt: technician.handedOverAt + sla.firstResponseMinutes * 60_000,
      doneAt: technician.firstResponseAt,
    },
    {
      kind: 'resolution',
      dueAt: input.openedAt + sla.resolutionMinutes * 60_000,
      doneAt: input.closedAt,
    },
  ];
  return clocks.map(({ kind, dueAt, doneAt }) => {
    const recorded = sla.breaches.some((b) => b.kind === kind);
    const at = doneAt ?? now;
    const breached = recorded || at > dueAt;
    const late = durationWords(Math.abs(at - dueAt));
    let text: string;
    if (doneAt !== undefined) text = breached ? `Met ${late} late` : 'Met in time';
    else if (breached) text = `Overdue by ${late}`;
    else text = `Due in ${durationWords(dueAt - now)}`;
    return { kind, label: SLA_LABELS[kind], text, dueAt, breached };
  });
}

// ---- the proposal form, from a fix's parameters ---------------------------------

export interface ParamField {
  name: string;
  label: string;
  kind: 'choice' | 'whole-number' | 'text' | 'list';
  options?: string[];
  min?: number;
  max?: number;
  help?: string;
}

const PARAM_LABELS: Record<string, string> = {
  interface: 'Network interface of the Zen box',
  offSeconds: 'Seconds to keep it switched off',
  resolver: 'DNS resolver address',
  servers: 'DNS servers to hand out',
  gateway: 'Gateway address to hand out',
};

/** One form field per parameter of a fix. */
export function paramFields(schema: JsonSchema): ParamField[] {
  return Object.entries(schema.properties ?? {}).map(([name, prop]) => {
    const label = PARAM_LABELS[name] ?? name;
    if (prop.enum) return { name, label, kind: 'choice', options: prop.enum.map(String) };
    if (prop.type === 'integer' || prop.type === 'number') {
      return {
        name,
        label,
        kind: 'whole-number',
        min: prop.minimum,
        max: prop.maximum,
        help:
          prop.minimum !== undefined && prop.maximum !== undefined
            ? `From ${prop.minimum} to ${prop.maximum}.`
            : undefined,
      };
    }
    if (prop.type === 'array') {
      const most = prop.maxItems ?? 1;
      return {
        name,
        label,
        kind: 'list',
        help: `${most > 1 ? `Up to ${most}, separated by commas` : 'One'}, e.g. 192.168.1.1.`,
      };
    }
    return { name, label, kind: 'text', help: 'An address like 192.168.1.1.' };
  });
}

/** The typed parameters from the form's text, or the first field that is missing. */
export function paramValues(
  fields: ParamField[],
  typed: Record<string, string | number | undefined>,
): { params: Record<string, unknown> } | { problem: string } {
  const params: Record<string, unknown> = {};
  for (const field of fields) {
    // A number input's v-model gives a number.
    const raw = String(typed[field.name] ?? '').trim();
    if (!raw) return { problem: `${field.label}: please fill this in.` };
    if (field.kind === 'whole-number') {
      if (!/^-?\d+$/.test(raw)) return { problem: `${field.label}: a whole number, please.` };
      params[field.name] = Number(raw);
    } else if (field.kind === 'list') {
      params[field.name] = raw
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean);
    } else params[field.name] = raw;
  }
  return { params };
}
