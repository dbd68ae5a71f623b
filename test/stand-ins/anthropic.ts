import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

// A local stand-in of the Anthropic Messages API (POST /v1/messages), spoken to
// by the real SDK over HTTP. It checks the headers and fields the SDK sends the
// way the API does (400/401/404 with the API's error shape), answers with
// scripted replies (tool use with usage including prompt-cache counts, text,
// API errors such as 429 with retry-after and 529 overloaded, broken JSON,
// slow answers), and keeps every request it saw for the test to inspect.

export interface SeenRequest {
  headers: http.IncomingHttpHeaders;
  /** The parsed JSON body (undefined when it was not JSON). */
  body: any;
  raw: string;
}

export interface UsageJson {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export type Reply =
  /** A tool_use block with this input (name defaults to the forced tool). */
  | { kind: 'tool'; input: unknown; name?: string; usage?: Partial<UsageJson> }
  /** A plain text answer: no tool call at all. */
  | { kind: 'text'; text: string }
  /** An API error with the API's error body, e.g. 429 rate_limit_error, 529 overloaded_error. */
  | {
      kind: 'error';
      status: number;
      type: string;
      message?: string;
      headers?: Record<string, string>;
    }
  /** Any body at all, e.g. broken JSON. */
  | { kind: 'raw'; status?: number; body: string; contentType?: string }
  /** Answers only after this long (for client timeouts). */
  | { kind: 'slow'; ms: number; then: Reply };

export type Handler = (request: SeenRequest) => Reply;

export interface AnthropicStandIn {
  /** The base URL for the SDK's baseURL option. */
  url: string;
  requests: SeenRequest[];
  /** Queues replies for the next requests, in order; the handler answers once the queue is empty. */
  reply(...replies: Reply[]): void;
  setHandler(handler: Handler): void;
  reset(): void;
  close(): Promise<void>;
}

const CACHE_TYPES = new Set(['ephemeral']);
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

class Invalid extends Error {}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Invalid(message);
}

const isObject = (v: unknown): v is Record<string, any> =>
  !!v && typeof v === 'object' && !Array.isArray(v);

/** Validates the request body as the Messages API does; returns the cache_control count. */
function validate(body: unknown): number {
  check(isObject(body), 'request body must be a JSON object');
  let breakpoints = 0;
  const cacheControl = (v: unknown, where: string) => {
    if (v === undefined || v === null) return;
    check(isObject(v) && CACHE_TYPES.has(v.type), `${where}.cache_control: invalid`);
    check(v.ttl === undefined || v.ttl === '5m' || v.ttl === '1h', `${where}.cache_control.ttl`);
    breakpoints++;
  };
  check(typeof body.model === 'string' && body.model.length > 0, 'model: Field required');
  check(
    Number.isInteger(body.max_tokens) && body.max_tokens >= 1,
    'max_tokens: must be a positive integer',
  );
  check(Array.isArray(body.messages) && body.messages.length > 0, 'messages: at least one');
  body.messages.forEach((m: unknown, i: number) => {
    check(isObject(m), `messages.${i}: must be an object`);
    check(m.role === 'user' || m.role === 'assistant', `messages.${i}.role: invalid`);
    check(
      typeof m.content === 'string' || Array.isArray(m.content),
      `messages.${i}.content: must be a string or a list of blocks`,
    );
    if (Array.isArray(m.content)) {
      m.content.forEach((b: unknown, j: number) => {
        check(isObject(b) && typeof b.type === 'string', `messages.${i}.content.${j}.type`);
        cacheControl(b.cache_control, `messages.${i}.content.${j}`);
      });
    }
  });
  check(body.messages[0].role === 'user', 'messages: the first message must use the user role');
  if (body.system !== undefined) {
    check(
      typeof body.system === 'string' || Array.isArray(body.system),
      'system: must be a string or a list of text blocks',
    );
    if (Array.isArray(body.system)) {
      body.system.forEach((b: unknown, i: number) => {
        check(isObject(b) && b.type === 'text' && typeof b.text === 'string', `system.${i}`);
        check(b.text.length > 0, `system.${i}.text: text content blocks must be non-empty`);
        cacheControl(b.cache_control, `system.${i}`);
      });
    }
  }
  const toolNames = new Set<string>();
  if (body.tools !== undefined) {
    check(Array.isArray(body.tools), 'tools: must be a list');
    body.tools.forEach((t: unknown, i: number) => {
      check(isObject(t) && typeof t.name === 'string' && TOOL_NAME.test(t.name), `tools.${i}.name`);
      check(
        isObject(t.input_schema) && t.input_schema.type === 'object',
        `tools.${i}.input_schema: type must be 'object'`,
      );
      check(!toolNames.has(t.name), `tools: tool names must be unique`);
      toolNames.add(t.name);
      cacheControl(t.cache_control, `tools.${i}`);
    });
  }
  if (body.tool_choice !== undefined) {
    const c = body.tool_choice;
    check(isObject(c) && ['auto', 'any', 'tool', 'none'].includes(c.type), 'tool_choice.type');
    if (c.type === 'tool') {
      check(toolNames.has(c.name), `tool_choice.name: no tool named ${String(c.name)}`);
    }
  }
  check(breakpoints <= 4, 'A maximum of 4 blocks with cache_control may be provided');
  return breakpoints;
}

const tokens = (value: unknown) => Math.ceil(JSON.stringify(value ?? '').length / 4);

export async function startAnthropicStandIn(
  handler: Handler = () => ({
    kind: 'error',
    status: 500,
    type: 'api_error',
    message: 'no reply scripted',
  }),
): Promise<AnthropicStandIn> {
  const requests: SeenRequest[] = [];
  let queue: Reply[] = [];
  let current = handler;
  // Cached prompt prefixes (tools + system), as the API's prompt cache would hold them.
  const prefixes = new Set<string>();

  function send(
    res: http.ServerResponse,
    status: number,
    body: string,
    headers: Record<string, string> = {},
  ) {
    res.writeHead(status, {
      'content-type': 'application/json',
      'request-id': `req_${randomUUID().replace(/-/g, '')}`,
      ...headers,
    });
    res.end(body);
  }

  const error = (type: string, message: string) =>
    JSON.stringify({ type: 'error', error: { type, message }, request_id: `req_${randomUUID()}` });

  async function answer(res: http.ServerResponse, seen: SeenRequest, reply: Reply): Promise<void> {
    switch (reply.kind) {
      case 'slow':
        await new Promise((resolve) => setTimeout(resolve, reply.ms));
        if (res.destroyed || res.writableEnded) return;
        return answer(res, seen, reply.then);
      case 'error':
        return send(
          res,
          reply.status,
          error(reply.type, reply.message ?? reply.type),
          reply.headers,
        );
      case 'raw':
        res.writeHead(reply.status ?? 200, {
          'content-type': reply.contentType ?? 'application/json',
        });
        res.end(reply.body);
        return;
      case 'text':
      case 'tool': {
        const body = seen.body;
        const prefixed = [body.tools, body.system];
        const prefixKey = createHash('sha256').update(JSON.stringify(prefixed)).digest('hex');
        const cacheable = JSON.stringify(prefixed).includes('"cache_control"');
        const prefixTokens = tokens(prefixed);
        const hit = cacheable && prefixes.has(prefixKey);
        if (cacheable) prefixes.add(prefixKey);
        const usage: UsageJson = {
          input_tokens: tokens(body.messages),
          output_tokens: reply.kind === 'tool' ? tokens(reply.input) : tokens(reply.text),
          cache_creation_input_tokens: cacheable && !hit ? prefixTokens : 0,
          cache_read_input_tokens: hit ? prefixTokens : 0,
          ...(reply.kind === 'tool' ? reply.usage : {}),
        };
        if (!cacheable) usage.input_tokens += prefixTokens;
        const forced = body.tool_choice?.type === 'tool' ? body.tool_choice.name : undefined;
        const content =
          reply.kind === 'tool'
            ? [
                {
                  type: 'tool_use',
                  id: `toolu_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
                  name: reply.name ?? forced ?? body.tools?.[0]?.name ?? 'tool',
                  input: reply.input,
                },
              ]
            : [{ type: 'text', text: reply.text }];
        return send(
          res,
          200,
          JSON.stringify({
            id: `msg_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
            type: 'message',
            role: 'assistant',
            model: body.model,
            content,
            stop_reason: reply.kind === 'tool' ? 'tool_use' : 'end_turn',
            stop_sequence: null,
            usage,
          }),
        );
      }
    }
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
      const seen: SeenRequest = { headers: req.headers, body, raw };
      requests.push(seen);
      const path = (req.url ?? '').split('?')[0];
      if (req.method !== 'POST' || path !== '/v1/messages') {
        return send(res, 404, error('not_found_error', `Not found: ${req.method} ${path}`));
      }
      if (!req.headers['x-api-key'] && !req.headers.authorization) {
        return send(res, 401, error('authentication_error', 'x-api-key header is required'));
      }
      if (!req.headers['anthropic-version']) {
        return send(
          res,
          400,
          error('invalid_request_error', 'anthropic-version header is required'),
        );
      }
      if (!String(req.headers['content-type'] ?? '').includes('application/json')) {
        return send(res, 400, error('invalid_request_error', 'content-type must be JSON'));
      }
      if (body === undefined) {
        return send(
          res,
          400,
          error('invalid_request_error', 'There was an issue with the JSON body'),
        );
      }
      try {
        validate(body);
      } catch (err) {
        if (err instanceof Invalid) {
          return send(res, 400, error('invalid_request_error', err.message));
        }
        throw err;
      }
      const reply = queue.shift() ?? current(seen);
      answer(res, seen, reply).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reply: (...replies) => queue.push(...replies),
    setHandler: (h) => {
      current = h;
    },
    reset: () => {
      requests.length = 0;
      queue = [];
      current = handler;
      prefixes.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
