import Telnyx from 'telnyx';

// The Telnyx SDK client: Call Control commands out, webhook verification in.
// A command that gets no answer in 5 s is sent again (twice at most); each
// carries a command_id, so Telnyx carries out a command sent again only once.

export interface TelnyxSettings {
  apiKey: string;
  /** Base64 of the raw 32-byte Ed25519 key that signs Telnyx's webhooks. */
  publicKey: string;
  /** The stand-in's http://127.0.0.1:PORT/v2; the real API when unset. */
  baseURL?: string;
  connectionId?: string;
  fromNumber?: string;
  /** The SDK retries failed commands; 0 in tests that count commands. */
  maxRetries?: number;
}

export function createTelnyxClient(settings: TelnyxSettings, { timeout = 5_000 } = {}): Telnyx {
  return new Telnyx({
    apiKey: settings.apiKey,
    publicKey: settings.publicKey,
    baseURL: settings.baseURL,
    maxRetries: settings.maxRetries ?? 2,
    timeout,
  });
}

/** Telnyx answers 422 with code 90018 to a command for a call that has ended. */
export function isCallEnded(err: unknown): boolean {
  if (!(err instanceof Telnyx.APIError) || err.status !== 422) return false;
  const errors = (err.error as { errors?: { code?: string }[] } | undefined)?.errors;
  return !errors || errors.some((e) => String(e.code) === '90018');
}
