// Whether a failed send may be retried without risking a second message.

/**
 * The provider answered "no" (or could not be reached at all), so nothing went out and the
 * delivery may be tried again. Any other error (a timeout, a connection dropped mid-send)
 * leaves the message's fate unknown.
 */
export class Refused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Refused';
  }
}

/** A network error from before anything was sent. */
export function neverConnected(err: unknown): boolean {
  const code =
    (err as { code?: string; cause?: { code?: string } })?.cause?.code ??
    (err as { code?: string })?.code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
}
