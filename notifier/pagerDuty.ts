import { neverConnected, Refused } from './refused';
import type { PagerDutyAction } from './plan';

// PagerDuty Events API v2: POST /v2/enqueue with routing_key, event_action and dedup_key.
// PagerDuty de-duplicates on dedup_key, so sending an event again is harmless.

export interface PagerDutySettings {
  routingKey: string;
  eventsUrl: string;
}

export async function sendPagerDuty(
  settings: PagerDutySettings,
  action: PagerDutyAction,
  dedupKey: string,
  summary: string,
): Promise<{ providerId?: string }> {
  const body = {
    routing_key: settings.routingKey,
    event_action: action,
    dedup_key: dedupKey,
    ...(action === 'trigger' && {
      payload: {
        summary: summary.slice(0, 1024),
        source: 'Zen & Zen Network Support',
        severity: 'error',
      },
    }),
  };
  let res: Response;
  try {
    res = await fetch(settings.eventsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    if (neverConnected(err)) throw new Refused(`PagerDuty was not reachable: ${String(err)}`);
    throw err;
  }
  const text = await res.text();
  if (res.status !== 202) {
    throw new Refused(`PagerDuty refused the event (${res.status}): ${text.slice(0, 200)}`);
  }
  return { providerId: (JSON.parse(text) as { dedup_key?: string }).dedup_key };
}
