import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// The local stand-in for a Slack incoming webhook: POST {text} (or blocks) as JSON to the
// webhook's path; answers 200 "ok", or as Slack does: 400 invalid_payload, 400 no_text,
// 404 no_service for a path that is not the webhook.

export interface SlackMessage {
  text: string;
  at: number;
}

export interface SlackStandIn {
  /** The incoming webhook's URL (SLACK_WEBHOOK_URL). */
  webhookUrl: string;
  messages: SlackMessage[];
  stop(): Promise<void>;
}

export async function startSlackStandIn({
  port = 0,
  onMessage,
}: { port?: number; onMessage?: (message: SlackMessage) => void } = {}): Promise<SlackStandIn> {
  const path = `/services/T0ZEN/B0ZEN/${randomBytes(12).toString('hex')}`;
  const messages: SlackMessage[] = [];
  const server = createServer((req, res) => {
    handle(req, res).catch(() => reply(res, 500, 'internal_error'));
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'POST' || url.pathname !== path) return reply(res, 404, 'no_service');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: { text?: unknown; blocks?: unknown };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
    } catch {
      return reply(res, 400, 'invalid_payload');
    }
    if (typeof body !== 'object' || body === null) return reply(res, 400, 'invalid_payload');
    if (typeof body.text !== 'string' || !body.text) {
      return reply(res, 400, Array.isArray(body.blocks) ? 'invalid_blocks' : 'no_text');
    }
    const message = { text: body.text, at: Date.now() };
    messages.push(message);
    onMessage?.(message);
    reply(res, 200, 'ok');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    webhookUrl: `${base}${path}`,
    messages,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function reply(res: ServerResponse, status: number, text: string) {
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(text);
}
