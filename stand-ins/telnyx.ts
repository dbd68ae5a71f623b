import { generateKeyPairSync, randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// The local stand-in for Telnyx Call Control: speaks the REST paths the official
// SDK uses under /v2 (dial, answer, speak, gather_using_speak, gather_stop,
// hangup) and Messaging (POST /v2/messages, answered with Telnyx's message record;
// each message kept in `messages`), keeps each call's state, and POSTs Ed25519-signed webhooks
// (telnyx-signature-ed25519 over `${timestamp}|${rawBody}`) to the product.
// A command's command_id is honoured as Telnyx does: a command sent again with
// the same id for the same call is answered and ignored. A small control API
// (/control/...) plays the caller: place an inbound call, press keypad digits,
// hang up, and read what the caller heard.
//
//   POST /control/calls                {from, to?}   → {callControlId}
//   POST /control/calls/:id/dtmf       {digits}      → {ok}
//   POST /control/calls/:id/hangup                   → {ok}
//   GET  /control/calls/:id                          → {state, heard, gathering}
//
// Loopback only; the control API is for the local caller (npm run call) and tests.

export interface TelnyxStandInOptions {
  /** Where webhooks go (the product's /api/voice/telnyx/webhook); may be set later. */
  webhookUrl?: string;
  /** The bearer token the SDK must send; random when not given. */
  apiKey?: string;
  port?: number;
  /** The number inbound calls are made to. */
  number?: string;
  /** Told of each call state, command and delivered webhook, e.g. for a log. */
  onEvent?: (msg: string, fields: Record<string, unknown>) => void;
  /** Told of each SMS as it is taken, before it is answered (a test may kill its sender here). */
  onMessage?: (message: StandInMessage) => void;
}

/** An SMS the product sent through Messaging. */
export interface StandInMessage {
  id: string;
  from: string;
  to: string;
  text: string;
  at: number;
}

export type CallStateName = 'ringing' | 'answered' | 'ended';

export interface StandInCall {
  id: string;
  from: string;
  to: string;
  direction: 'incoming' | 'outgoing';
  state: CallStateName;
  heard: string[];
  clientState?: string;
  gather?: {
    min: number;
    max: number;
    valid: string;
    terminator?: string;
    digits: string;
    timer?: NodeJS.Timeout;
  };
  /** Every command the product sent for this call, in order. */
  commands: string[];
  /** The command_ids seen for this call. */
  commandIds: Set<string>;
  /** A slow network for this call: each command takes effect at once, its answer comes this late. */
  answerDelayMs?: number;
}

export interface Delivery {
  eventType: string;
  eventId: string;
  callControlId: string;
  body: string;
  headers: Record<string, string>;
  status?: number;
}

export interface TelnyxStandIn {
  /** The SDK's baseURL, including /v2. */
  url: string;
  /** Base of the control API (no /v2). */
  controlUrl: string;
  apiKey: string;
  /** Base64 of the raw 32-byte Ed25519 public key: TELNYX_PUBLIC_KEY. */
  publicKey: string;
  webhookUrl: string | undefined;
  calls: Map<string, StandInCall>;
  /** Every SMS sent through Messaging, in order. */
  messages: StandInMessage[];
  /** Every webhook sent, with its exact body and headers (for replay tests). */
  deliveries: Delivery[];
  placeCall(from: string, to?: string): Promise<string>;
  press(callId: string, digits: string): void;
  hangup(callId: string): void;
  /** From now on, answers this call's commands `ms` late (each takes effect at once). */
  delayCommands(callId: string, ms: number): void;
  heard(callId: string): string[];
  /** Sends a body with a fresh (or given) signature; returns the product's status. */
  deliver(body: string, options?: { timestamp?: number; signature?: string }): Promise<number>;
  /** Resolves once every queued webhook has been delivered. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTelnyxStandIn(
  options: TelnyxStandInOptions = {},
): Promise<TelnyxStandIn> {
  const apiKey = options.apiKey ?? `KEY_standin_${randomBytes(12).toString('hex')}`;
  const number = options.number ?? '+15550000100';
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicKeyB64 = publicKey
    .export({ format: 'der', type: 'spki' })
    .subarray(12)
    .toString('base64');
  const calls = new Map<string, StandInCall>();
  const messages: StandInMessage[] = [];
  const deliveries: Delivery[] = [];
  // Webhooks go out one at a time, in order, as Telnyx sends a call's events.
  let queue: Promise<void> = Promise.resolve();
  const lateAnswers = new Set<Promise<unknown>>();

  const standIn: TelnyxStandIn = {
    url: '',
    controlUrl: '',
    apiKey,
    publicKey: publicKeyB64,
    webhookUrl: options.webhookUrl,
    calls,
    messages,
    deliveries,
    placeCall: async (from, to = number) => placeCall(from, to, 'incoming').id,
    press,
    hangup: (id) => endCall(id, 'caller'),
    delayCommands: (id, ms) => {
      const call = calls.get(id);
      if (call) call.answerDelayMs = ms;
    },
    heard: (id) => [...(calls.get(id)?.heard ?? [])],
    deliver: (body, opts) => post(body, opts),
    idle: async () => {
      let seen: Promise<void> | undefined;
      while (seen !== queue) {
        seen = queue;
        await queue;
      }
    },
    stop: async () => {
      // Commands answered late still get their answer before the stand-in goes.
      await Promise.all(lateAnswers);
      for (const call of calls.values()) clearTimeout(call.gather?.timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  function placeCall(from: string, to: string, direction: 'incoming' | 'outgoing', state?: string) {
    const call: StandInCall = {
      id: `v3:${randomBytes(16).toString('base64url')}`,
      from,
      to,
      direction,
      state: 'ringing',
      heard: [],
      clientState: state,
      commands: [],
      commandIds: new Set(),
    };
    calls.set(call.id, call);
    options.onEvent?.('call ringing', { callId: call.id, from, to });
    emit(call, 'call.initiated', { direction, state: 'parked' });
    return call;
  }

  function press(id: string, digits: string) {
    const call = calls.get(id);
    if (!call || call.state !== 'answered') return;
    for (const digit of digits) {
      emit(call, 'call.dtmf.received', { digit });
      const gather = call.gather;
      if (!gather) continue;
      if (gather.terminator && digit === gather.terminator) {
        finishGather(call, gather.digits.length >= gather.min ? 'valid' : 'invalid');
        continue;
      }
      if (!gather.valid.includes(digit)) continue;
      gather.digits += digit;
      if (gather.digits.length >= gather.max) finishGather(call, 'valid');
    }
  }

  function finishGather(
    call: StandInCall,
    status: 'valid' | 'invalid' | 'timeout' | 'call_hangup',
  ) {
    const gather = call.gather;
    if (!gather) return;
    clearTimeout(gather.timer);
    call.gather = undefined;
    emit(call, 'call.gather.ended', { digits: gather.digits, status });
  }

  function endCall(id: string, source: 'caller' | 'callee') {
    const call = calls.get(id);
    if (!call || call.state === 'ended') return;
    finishGather(call, 'call_hangup');
    call.state = 'ended';
    options.onEvent?.('call ended', { callId: call.id });
    emit(call, 'call.hangup', {
      hangup_cause: 'normal_clearing',
      hangup_source: source,
      sip_hangup_cause: '200',
    });
  }

  function emit(call: StandInCall, eventType: string, extra: Record<string, unknown>) {
    const body = JSON.stringify({
      data: {
        record_type: 'event',
        event_type: eventType,
        id: randomUUID(),
        occurred_at: new Date().toISOString(),
        payload: {
          call_control_id: call.id,
          call_leg_id: call.id.slice(3),
          call_session_id: call.id.slice(3),
          connection_id: 'standin-connection',
          client_state: call.clientState ?? null,
          from: call.from,
          to: call.to,
          direction: call.direction,
          ...extra,
        },
      },
      meta: { attempt: 1, delivered_to: standIn.webhookUrl },
    });
    queue = queue.then(() => post(body).then(() => undefined));
  }

  async function post(
    body: string,
    opts: { timestamp?: number; signature?: string } = {},
  ): Promise<number> {
    const url = standIn.webhookUrl;
    const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
    const headers = {
      'content-type': 'application/json',
      'telnyx-timestamp': timestamp,
      'telnyx-signature-ed25519':
        opts.signature ?? signWebhook(privateKey, timestamp, body).toString('base64'),
    };
    const parsed = JSON.parse(body) as {
      data: { event_type: string; id: string; payload: { call_control_id: string } };
    };
    const delivery: Delivery = {
      eventType: parsed.data.event_type,
      eventId: parsed.data.id,
      callControlId: parsed.data.payload.call_control_id,
      body,
      headers,
    };
    deliveries.push(delivery);
    if (!url) return 0;
    try {
      const res = await fetch(url, { method: 'POST', headers, body });
      await res.text();
      delivery.status = res.status;
    } catch {
      delivery.status = 0;
    }
    options.onEvent?.('webhook delivered', {
      eventType: delivery.eventType,
      callId: delivery.callControlId,
      status: delivery.status,
    });
    return delivery.status;
  }

  // ---- the Call Control REST API ---------------------------------------------

  async function handleV2(req: IncomingMessage, res: ServerResponse, path: string) {
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      return send(res, 401, {
        errors: [{ code: '10009', title: 'Authentication failed', detail: 'Bad API key' }],
      });
    }
    const body = (await readJson(req)) as Record<string, unknown> | undefined;
    if (body === undefined) {
      return send(res, 400, { errors: [{ code: '10015', title: 'Invalid JSON body' }] });
    }
    if (req.method === 'POST' && path === '/v2/messages') return sendMessage(res, body);
    if (req.method === 'POST' && path === '/v2/calls') {
      const to = String(body.to ?? '');
      const from = String(body.from ?? number);
      if (!to || !body.connection_id) {
        return send(res, 422, {
          errors: [{ code: '10032', title: 'Missing parameter', detail: 'to and connection_id' }],
        });
      }
      const call = placeCall(from, to, 'outgoing', stringOrUndefined(body.client_state));
      // The callee picks up at once.
      setTimeout(() => answerCall(call), 50);
      return send(res, 200, { data: callRecord(call) });
    }
    const match = /^\/v2\/calls\/([^/]+)\/actions\/([a-z_]+)$/.exec(path);
    if (req.method !== 'POST' || !match) {
      return send(res, 404, { errors: [{ code: '10005', title: 'Resource not found' }] });
    }
    const call = calls.get(decodeURIComponent(match[1]!));
    const action = match[2]!;
    if (!call || call.state === 'ended') {
      return send(res, 422, {
        errors: [
          {
            code: '90018',
            title: 'Call has already ended',
            detail: 'This call is no longer active and can not receive commands.',
          },
        ],
      });
    }
    const commandId = stringOrUndefined(body.command_id);
    if (commandId !== undefined) {
      if (call.commandIds.has(commandId)) return answer(res, call, { result: 'ok' });
      call.commandIds.add(commandId);
    }
    call.commands.push(action);
    options.onEvent?.('command', { callId: call.id, command: action });
    const clientState = stringOrUndefined(body.client_state);
    if (clientState !== undefined) call.clientState = clientState;

    switch (action) {
      case 'answer':
        if (call.state !== 'answered') answerCall(call);
        break;
      case 'speak': {
        const text = String(body.payload ?? '');
        call.heard.push(text);
        emit(call, 'call.speak.started', {});
        emit(call, 'call.speak.ended', { status: 'completed' });
        break;
      }
      case 'gather_using_speak': {
        const text = String(body.payload ?? '');
        call.heard.push(text);
        if (call.gather) finishGather(call, 'invalid');
        const timeoutMs = Number(body.timeout_millis ?? 60_000);
        call.gather = {
          min: Number(body.minimum_digits ?? 1),
          max: Number(body.maximum_digits ?? 128),
          valid: String(body.valid_digits ?? '0123456789#*'),
          terminator: stringOrUndefined(body.terminating_digit),
          digits: '',
          timer: setTimeout(() => finishGather(call, 'timeout'), timeoutMs),
        };
        break;
      }
      case 'gather_stop':
        finishGather(call, 'invalid');
        break;
      case 'hangup':
        endCall(call.id, 'callee');
        break;
      default:
        call.commands.pop();
        return send(res, 404, {
          errors: [{ code: '10005', title: `The stand-in does not implement ${action}` }],
        });
    }
    return answer(res, call, { result: 'ok' });
  }

  function sendMessage(res: ServerResponse, body: Record<string, unknown>) {
    const to = String(body.to ?? '');
    const from = String(body.from ?? '');
    const text = String(body.text ?? '');
    const e164 = /^\+[1-9]\d{6,14}$/;
    if (!e164.test(to)) {
      return send(res, 422, {
        errors: [
          { code: '40310', title: "Invalid 'to' address", detail: 'The to number is not valid.' },
        ],
      });
    }
    if (!e164.test(from)) {
      return send(res, 422, {
        errors: [
          {
            code: '40305',
            title: "Invalid 'from' address",
            detail: 'The from number is not valid.',
          },
        ],
      });
    }
    if (!text) {
      return send(res, 422, {
        errors: [
          {
            code: '40006',
            title: 'Message has no text',
            detail: 'text or media_urls is required.',
          },
        ],
      });
    }
    const message: StandInMessage = { id: randomUUID(), from, to, text, at: Date.now() };
    messages.push(message);
    options.onEvent?.('sms', { to, text });
    options.onMessage?.(message);
    const now = new Date(message.at).toISOString();
    return send(res, 200, {
      data: {
        record_type: 'message',
        direction: 'outbound',
        id: message.id,
        type: 'SMS',
        messaging_profile_id: 'standin-messaging-profile',
        from: { phone_number: from, carrier: 'Telnyx', line_type: 'Wireless' },
        to: [{ phone_number: to, status: 'queued', carrier: 'Stand-in', line_type: 'Wireless' }],
        text,
        encoding: 'GSM-7',
        parts: Math.max(1, Math.ceil(text.length / 153)),
        tags: [],
        received_at: now,
        sent_at: null,
        completed_at: null,
        valid_until: new Date(message.at + 4 * 3_600_000).toISOString(),
        errors: [],
      },
    });
  }

  async function answer(res: ServerResponse, call: StandInCall, data: unknown) {
    if (call.answerDelayMs) {
      const late = new Promise((r) => setTimeout(r, call.answerDelayMs));
      lateAnswers.add(late);
      await late;
      lateAnswers.delete(late);
    }
    send(res, 200, { data });
  }

  function answerCall(call: StandInCall) {
    if (call.state !== 'ringing') return;
    call.state = 'answered';
    options.onEvent?.('call answered', { callId: call.id });
    emit(call, 'call.answered', {});
  }

  // ---- the caller's side -------------------------------------------------------

  async function handleControl(req: IncomingMessage, res: ServerResponse, path: string) {
    const body = ((await readJson(req)) ?? {}) as Record<string, unknown>;
    if (req.method === 'POST' && path === '/control/calls') {
      const from = String(body.from ?? '');
      if (!/^\+\d{6,15}$/.test(from)) {
        return send(res, 400, { error: 'from must be an E.164 number like +15551234567' });
      }
      const call = placeCall(from, String(body.to ?? number), 'incoming');
      return send(res, 201, { callControlId: call.id });
    }
    const match = /^\/control\/calls\/([^/]+)(?:\/(dtmf|hangup))?$/.exec(path);
    const call = match ? calls.get(decodeURIComponent(match[1]!)) : undefined;
    if (!match || !call) return send(res, 404, { error: 'no such call' });
    if (req.method === 'GET' && !match[2]) {
      return send(res, 200, {
        state: call.state,
        heard: call.heard,
        gathering: Boolean(call.gather),
      });
    }
    if (req.method === 'POST' && match[2] === 'dtmf') {
      press(call.id, String(body.digits ?? ''));
      return send(res, 200, { ok: true });
    }
    if (req.method === 'POST' && match[2] === 'hangup') {
      endCall(call.id, 'caller');
      return send(res, 200, { ok: true });
    }
    return send(res, 404, { error: 'not found' });
  }

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const handler = path.startsWith('/v2/')
      ? handleV2
      : path.startsWith('/control/')
        ? handleControl
        : undefined;
    if (!handler) return send(res, 404, { error: 'not found' });
    handler(req, res, path).catch((err: Error) => send(res, 500, { error: err.message }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  standIn.url = `${base}/v2`;
  standIn.controlUrl = base;
  return standIn;
}

/** The Telnyx webhook signature: Ed25519 over `${timestamp}|${rawBody}`. */
export function signWebhook(privateKey: KeyObject, timestamp: string, body: string): Buffer {
  return sign(null, Buffer.from(`${timestamp}|${body}`), privateKey);
}

function callRecord(call: StandInCall) {
  return {
    record_type: 'call',
    call_control_id: call.id,
    call_leg_id: call.id.slice(3),
    call_session_id: call.id.slice(3),
    is_alive: call.state !== 'ended',
  };
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, body: unknown) {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
