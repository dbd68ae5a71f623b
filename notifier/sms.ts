import Telnyx from 'telnyx';
import { neverConnected, Refused } from './refused';

// SMS through Telnyx Messaging (the SDK's messages.send: POST /v2/messages). Messaging has
// no idempotency key, so the SDK never resends by itself: a retry is ours, and only after
// Telnyx refused.

export interface SmsSettings {
  apiKey: string;
  /** The stand-in's http://127.0.0.1:PORT/v2; the real API when unset. */
  baseURL?: string;
  /** Our messaging number. */
  from: string;
}

const clients = new Map<string, Telnyx>();

export async function sendSms(
  settings: SmsSettings,
  to: string,
  text: string,
): Promise<{ providerId?: string }> {
  const cacheKey = `${settings.baseURL ?? ''}|${settings.apiKey}`;
  let client = clients.get(cacheKey);
  if (!client) {
    client = new Telnyx({
      apiKey: settings.apiKey,
      baseURL: settings.baseURL,
      maxRetries: 0,
      timeout: 15_000,
    });
    clients.set(cacheKey, client);
  }
  try {
    const answer = await client.messages.send({ from: settings.from, to, text, type: 'SMS' });
    return { providerId: answer.data?.id };
  } catch (err) {
    if (err instanceof Telnyx.APIError && err.status !== undefined) {
      throw new Refused(`Telnyx refused the SMS (${err.status}): ${err.message}`);
    }
    if (neverConnected(err)) throw new Refused(`Telnyx was not reachable: ${String(err)}`);
    throw err;
  }
}
