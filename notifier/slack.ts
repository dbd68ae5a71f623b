import { neverConnected, Refused } from './refused';

// A Slack-compatible incoming webhook: POST {text}; Slack answers 200 "ok", or an error
// word such as invalid_payload with a 4xx.

export async function sendSlack(
  webhookUrl: string,
  text: string,
): Promise<{ providerId?: string }> {
  let res: Response;
  try {
    res = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    if (neverConnected(err)) throw new Refused(`Slack was not reachable: ${String(err)}`);
    throw err;
  }
  const body = await res.text();
  if (!res.ok)
    throw new Refused(`Slack refused the message (${res.status}): ${body.slice(0, 200)}`);
  return {};
}
