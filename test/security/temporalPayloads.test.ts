import { randomUUID } from 'node:crypto';
import type { Payload } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { loadConfig } from '../../config';
import { AesGcmPayloadCodec } from '../../temporal-config/codec/aesGcmCodec';
import { Partner } from '../../store/partners';
import { createPersonWithToken } from '../support/people';
import {
  approve,
  connectDevice,
  openDemoCase,
  saveHistory,
  stateOf,
  waitForStatus,
} from '../support/cases';
import { startTestStack, type TestStack } from '../support/stack';
import { temporalNamespace } from '../support/env';

// Issue #21 item 6 (Temporal side): a case's payloads reach the Temporal server encrypted, and
// only a signed-in operator can have them decoded, through the Temporal UI's codec endpoint.

type History = temporal.api.history.v1.IHistory;

/**
 * Every payload in a history, with where it sits: search attributes (the codec never sees them)
 * and patch markers (written by the SDK's core, patch ids only) are stored as they are.
 */
type Place = 'search attribute' | 'patch marker' | 'data';
function payloadsIn(value: unknown, place: Place = 'data', found: [Payload, Place][] = []) {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return found;
  const o = value as Record<string, unknown>;
  if (o.data instanceof Uint8Array && o.metadata && typeof o.metadata === 'object') {
    found.push([o as Payload, place]);
    return found;
  }
  for (const [name, child] of Object.entries(o)) {
    const here =
      place !== 'data'
        ? place
        : /searchAttributes/i.test(name)
          ? 'search attribute'
          : name === 'patch-data'
            ? 'patch marker'
            : 'data';
    payloadsIn(child, here, found);
  }
  return found;
}

const textOf = (payloads: Payload[]) =>
  payloads.map((p) => Buffer.from(p.data ?? []).toString('utf8')).join('\n');

/** The history exactly as the server stores it: no client-side decoding anywhere. */
async function rawHistory(stack: TestStack, workflowId: string): Promise<History> {
  const { history } = await stack.client.workflowService.getWorkflowExecutionHistory({
    namespace: temporalNamespace(),
    execution: { workflowId },
    maximumPageSize: 1000,
  });
  return history!;
}

const b64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('base64');
const asJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
  data: b64(p.data),
});

describe('Temporal payloads: encrypted at rest, decoded only for operators', () => {
  let stack: TestStack;
  let workflowId: string;
  let raw: History;
  const marker = `Marker ${randomUUID()}: the card terminal drops out`;
  let steps: string[];
  const codec = new AesGcmPayloadCodec(loadConfig().temporal.codecKeys);
  const uiOrigin = loadConfig().temporal.uiOrigin;
  let partnerToken: string;

  beforeAll(async () => {
    stack = await startTestStack('payloads', {
      caseSettings: { approvalTimeoutMs: 60_000, approvalGraceMs: 60_000 },
    });
    const partner = await Partner.create({ name: 'North Shore IT' });
    ({ token: partnerToken } = await createPersonWithToken({
      email: 'tech@north-shore-it.example',
      role: 'partner',
      partnerId: partner._id,
    }));
    const device = connectDevice(stack, 'dns-failure');
    try {
      const { caseId, handle } = await openDemoCase(stack, marker);
      workflowId = handle.workflowId;
      const waiting = await waitForStatus(handle, 'awaiting_approval');
      await approve(stack, caseId, waiting.proposal!.actionId);
      await handle.result();
      // The words of each step an operator reads (plain ones: JSON would escape quotes).
      steps = (await stateOf(handle)).timeline
        .map((t) => t.text)
        .filter((t) => t.length >= 20 && !/["\\]/.test(t));
      raw = await rawHistory(stack, workflowId);
      await saveHistory(handle, 'codec-encrypted-dns-failure-approved');
    } finally {
      device.stop();
    }
  }, 120_000);
  afterAll(() => stack?.stop());

  it("stores none of the case's plain values in its raw history", () => {
    const all = payloadsIn(raw);
    const outsideSearch = all.filter(([, place]) => place === 'data').map(([p]) => p);
    expect(outsideSearch.length).toBeGreaterThan(10);
    const rawText = textOf(outsideSearch);
    expect(rawText).not.toContain(marker);
    expect(rawText).not.toContain(stack.demo.device.deviceId);
    expect(steps.length).toBeGreaterThan(0);
    for (const step of steps) expect(rawText).not.toContain(step);
    // Every payload outside the search attributes is encrypted, none merely encoded.
    const encodings = new Set(
      outsideSearch.map((p) => Buffer.from(p.metadata!.encoding ?? []).toString()),
    );
    expect([...encodings]).toEqual(['binary/encrypted']);
  });

  it('holds them once decoded through the codec, personal words still sealed', async () => {
    const decoded = await codec.decode(payloadsIn(raw).map(([p]) => p));
    const text = textOf(decoded);
    expect(text).toContain(stack.demo.device.deviceId);
    // The reporter's words stay sealed under their own key even decoded (privacy/): erasable.
    expect(text).not.toContain(marker);
    expect(text).toMatch(/"description":"pii1:person:/);
    for (const step of steps) expect(text).toContain(step);
  });

  describe('the codec endpoint', () => {
    const url = (direction: string) => `${stack.apiUrl}/api/codec/${direction}`;
    const post = (
      direction: string,
      body: unknown,
      headers: Record<string, string> = {},
    ): Promise<Response> =>
      fetch(url(direction), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-namespace': temporalNamespace(),
          ...headers,
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    /** The case's first input (openCase's arguments), still encrypted. */
    const encryptedInput = () => {
      const started = raw.events!.find((e) => e.workflowExecutionStartedEventAttributes)!;
      return started.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    };

    it('decodes for an operator, by bearer token or by the portal session cookie', async () => {
      for (const credentials of [
        bearer(stack.demo.operator.token),
        { cookie: `zen_session=${stack.demo.operator.token}` },
      ]) {
        const res = await post('decode', { payloads: [asJson(encryptedInput())] }, credentials);
        expect(res.status).toBe(200);
        const { payloads } = (await res.json()) as { payloads: { data: string }[] };
        const plain = Buffer.from(payloads[0]!.data, 'base64').toString('utf8');
        expect(plain).toContain(stack.demo.device.deviceId);
      }
    });

    it('encodes for an operator, and what it encodes decodes again', async () => {
      const plain = {
        metadata: { encoding: b64(Buffer.from('json/plain')) },
        data: b64(Buffer.from('"hello"')),
      };
      const res = await post('encode', { payloads: [plain] }, bearer(stack.demo.operator.token));
      expect(res.status).toBe(200);
      const { payloads } = (await res.json()) as { payloads: ReturnType<typeof asJson>[] };
      expect(Buffer.from(payloads[0]!.metadata.encoding!, 'base64').toString()).toBe(
        'binary/encrypted',
      );
      const back = await post('decode', { payloads }, bearer(stack.demo.operator.token));
      expect(((await back.json()) as { payloads: unknown[] }).payloads).toEqual([plain]);
    });

    it.each([
      ['no sign-in', () => ({}), 401],
      ['an unknown token', () => bearer('zu_' + 'A'.repeat(40)), 401],
      ['a customer', () => bearer(stack.demo.customer.token), 403],
      ['a partner', () => bearer(partnerToken), 403],
      ['a device', () => bearer(stack.demo.device.token), 403],
      ['the worker', () => bearer(stack.internalToken), 403],
    ] as const)('refuses %s and decodes nothing', async (_who, credentials, status) => {
      for (const direction of ['decode', 'encode']) {
        const res = await post(direction, { payloads: [asJson(encryptedInput())] }, credentials());
        expect(res.status).toBe(status);
        const body = await res.text();
        expect(body).not.toContain('payloads');
        expect(Buffer.from(body).toString()).not.toContain(marker);
      }
    });

    it.each([
      ['not JSON', '{"payloads": ['],
      ['no payloads', {}],
      ['a payload that is not an object', { payloads: ['x'] }],
      ['data that is not base64', { payloads: [{ metadata: {}, data: 'not base64!' }] }],
      ['an unknown field', { payloads: [], extra: 1 }],
      ['too many payloads', { payloads: Array.from({ length: 1001 }, () => ({})) }],
    ])('refuses a bad body from an operator (%s) with 400', async (_what, body) => {
      const res = await post('decode', body, bearer(stack.demo.operator.token));
      expect(res.status).toBe(400);
    });

    it('refuses a body over its size bound with 413', async () => {
      const data = 'A'.repeat(3_000_000);
      const res = await post(
        'decode',
        { payloads: [{ data }, { data }] },
        bearer(stack.demo.operator.token),
      );
      expect(res.status).toBe(413);
    });

    it('refuses another namespace, and a payload it cannot decrypt', async () => {
      const other = await post(
        'decode',
        { payloads: [asJson(encryptedInput())] },
        { ...bearer(stack.demo.operator.token), 'x-namespace': 'someone-else' },
      );
      expect(other.status).toBe(400);
      expect(((await other.json()) as { code: string }).code).toBe('UNKNOWN_NAMESPACE');
      const altered = asJson(encryptedInput());
      altered.data = b64(
        Buffer.from(altered.data, 'base64').map((byte, i) => (i === 20 ? byte ^ 1 : byte)),
      );
      const res = await post('decode', { payloads: [altered] }, bearer(stack.demo.operator.token));
      expect(res.status).toBe(422);
    });

    it("answers CORS for the Temporal UI's origin only, with credentials", async () => {
      const preflight = (origin: string) =>
        fetch(url('decode'), {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type,x-namespace',
          },
        });
      const ui = await preflight(uiOrigin);
      expect(ui.status).toBe(204);
      expect(ui.headers.get('access-control-allow-origin')).toBe(uiOrigin);
      expect(ui.headers.get('access-control-allow-credentials')).toBe('true');
      expect(ui.headers.get('access-control-allow-headers')).toContain('x-namespace');

      for (const stranger of ['http://127.0.0.1:3999', 'https://evil.example', 'null']) {
        const res = await preflight(stranger);
        expect(res.status).toBe(403);
        expect(res.headers.get('access-control-allow-origin')).toBeNull();
        // Even with an operator's credentials, a page of another origin gets nothing decoded.
        const call = await post(
          'decode',
          { payloads: [asJson(encryptedInput())] },
          { ...bearer(stack.demo.operator.token), origin: stranger },
        );
        expect(call.status).toBe(403);
        expect(await call.text()).not.toContain('payloads');
      }
      const fromUi = await post(
        'decode',
        { payloads: [asJson(encryptedInput())] },
        { ...bearer(stack.demo.operator.token), origin: uiOrigin },
      );
      expect(fromUi.status).toBe(200);
      expect(fromUi.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    });
  });
});
