import { z } from 'zod';

// What Telnyx sends us (the fields the call flow reads, checked with zod) and
// what we round-trip through Telnyx in client_state.

export const WebhookEventData = z.object({
  id: z.string().min(1).max(200),
  event_type: z.string().min(1).max(100),
  payload: z.object({
    call_control_id: z.string().min(1).max(300),
    client_state: z.string().max(4096).nullish(),
    from: z.string().max(100).optional(),
    to: z.string().max(100).optional(),
    direction: z.string().max(40).optional(),
    digits: z.string().max(128).optional(),
    status: z.string().max(40).optional(),
  }),
});
export type WebhookEventData = z.infer<typeof WebhookEventData>;

/** Round-tripped by Telnyx in client_state (base64 JSON). */
export interface ClientState {
  p: 'unknown' | 'bye' | 'greet' | 'choose' | 'reopen' | 'code' | 'decide' | 'rate' | 'done';
  /** On a call we placed: which pending outbound session it belongs to. */
  o?: string;
}

const ClientStateSchema = z.object({
  p: z.enum(['unknown', 'bye', 'greet', 'choose', 'reopen', 'code', 'decide', 'rate', 'done']),
  o: z.string().max(100).optional(),
});

export function encodeState(state: ClientState): string {
  return Buffer.from(JSON.stringify(state)).toString('base64');
}

export function decodeState(value: string | null | undefined): ClientState | undefined {
  if (!value) return undefined;
  try {
    const parsed = ClientStateSchema.safeParse(
      JSON.parse(Buffer.from(value, 'base64').toString('utf8')),
    );
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
