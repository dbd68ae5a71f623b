import { randomInt, randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { Payload } from '@temporalio/common';
import { Case, Customer, User } from '../../store/models';
import { hashToken, newToken } from '../../store/tokens';
import { readLatestCode } from '../support/mail';
import { call, eventually } from '../support/stack';
import { seedOtherTenant, type OtherTenant } from '../support/tenants';
import { callAboutNewProblem, startVoiceStack, type VoiceStack } from '../voice/support';

// A customer's personal data, sealed per customer and person: after the customer is erased
// nothing of it can be read anywhere (store, Temporal history), while its cases and audit
// chains stay and verify. Exports hold exactly one customer's data.

jest.setTimeout(240_000);

describe('privacy: export and erasure', () => {
  let voice: VoiceStack;
  let other: OtherTenant;
  let operatorSession: string;
  let ownerSession: string;
  const marker = `zebra-${randomUUID().slice(0, 8)}-quartz`;
  const colleagueMarker = `walrus-${randomUUID().slice(0, 8)}-amber`;
  const callerNumber = `+1555${String(randomInt(1_000_000, 9_999_999))}`;
  let caseId: string;
  let workflowId: string;
  let colleagueId: string;

  const api = () => voice.stack.apiUrl;

  /** A portal sign-in with the emailed code: the session a person has in the browser. */
  async function signIn(email: string): Promise<string> {
    const asked = await call(`${api()}/api/auth/login`, undefined, { body: { email } });
    expect(asked.status).toBe(202);
    const code = await readLatestCode(voice.mail.outbox, email);
    const res = await call(`${api()}/api/auth/login/verify`, undefined, {
      body: { email, code, session: 'bearer' },
    });
    expect(res.status).toBe(200);
    return res.body.token as string;
  }

  beforeAll(async () => {
    voice = await startVoiceStack('privacy');
    const demo = voice.stack.demo;
    // Caller ID finds the customer by this number: unique, so any trace of it is ours.
    await Customer.updateOne({ _id: demo.customer.id }, { $set: { primaryPhone: callerNumber } });
    other = await seedOtherTenant();
    const colleague = await User.create({
      email: `colleague-${randomUUID().slice(0, 8)}@bayside-dental.example`,
      role: 'customer',
      customerId: demo.customer.id,
      customerRole: 'member',
      tokenHash: hashToken(newToken('zu')),
    });
    colleagueId = colleague._id;
    operatorSession = await signIn(demo.operator.email);
    ownerSession = await signIn(demo.customer.email);

    // Opened by phone, from the unique number...
    await callAboutNewProblem(voice.telnyx, callerNumber);
    const opened = await eventually(
      async () =>
        Case.findOne({ customerId: demo.customer.id, channel: 'phone' }, { workflowId: 1 }).lean(),
      { what: 'the phone case to open', timeoutMs: 60_000 },
    );
    caseId = opened._id;
    workflowId = opened.workflowId;
    // ...and joined from the portal with the owner's words, then a colleague's.
    const joined = await call(`${api()}/api/cases`, ownerSession, {
      body: { deviceId: demo.device.deviceId, description: `Printer says ${marker}` },
    });
    expect(joined.status).toBe(200);
    expect(joined.body.caseId).toBe(caseId);
    const colleagueSession = await signIn(colleague.email);
    const second = await call(`${api()}/api/cases`, colleagueSession, {
      body: { deviceId: demo.device.deviceId, description: `Also ${colleagueMarker}` },
    });
    expect(second.body.caseId).toBe(caseId);
    await eventually(
      async () => {
        const doc = await Case.findById(caseId, { reports: 1 }).lean();
        return (doc?.reports?.length ?? 0) >= 3;
      },
      { what: 'the case document to hold every report' },
    );
  });
  afterAll(() => voice.stop());

  const reportWords = async (token: string) => {
    const res = await call(`${api()}/api/cases/${caseId}`, token);
    expect(res.status).toBe(200);
    return (res.body.reports as { words: string }[]).map((r) => r.words);
  };

  it('keeps personal values sealed in the store and opens them for readers', async () => {
    const doc = await Case.findById(caseId).lean();
    expect(JSON.stringify(doc)).not.toContain(marker);
    expect(JSON.stringify(doc)).not.toContain(callerNumber.slice(2));
    expect(doc!.callerPhone).toMatch(/^pii1:caller:/);
    expect(await reportWords(ownerSession)).toEqual(
      expect.arrayContaining([`Printer says ${marker}`, `Also ${colleagueMarker}`]),
    );
    const audit = await call(`${api()}/api/cases/${caseId}/audit`, operatorSession);
    const opened = audit.body.entries.find(
      (e: { actionType: string }) => e.actionType === 'case_opened',
    );
    expect(opened.actionDetails.callerPhone).toBe(callerNumber);
    expect(opened.who).toBe(`Caller on the phone (number ending ${callerNumber.slice(-4)})`);
    expect(opened.actor.id).toMatch(/^phone:[A-Za-z0-9_-]{22}$/);
  });

  it('refuses export and erasure to anyone but an operator signed in with the emailed code', async () => {
    const id = voice.stack.demo.customer.id;
    const paths = [
      ['GET', `/api/customers/${id}/export`, undefined],
      ['POST', `/api/customers/${id}/erase`, { confirm: 'Bayside Dental' }],
      ['POST', `/api/customers/${id}/people/${colleagueId}/erase`, {}],
    ] as const;
    for (const [method, path, body] of paths) {
      // The customer's own owner, and an operator's API token (a script, not a sign-in).
      expect((await call(`${api()}${path}`, ownerSession, { method, body })).status).toBe(403);
      const byToken = await call(`${api()}${path}`, voice.stack.demo.operator.token, {
        method,
        body,
      });
      expect(byToken).toMatchObject({ status: 403, body: { code: 'SIGN_IN_REQUIRED' } });
      expect((await call(`${api()}${path}`, undefined, { method, body })).status).toBe(401);
    }
    expect(await Customer.exists({ _id: id })).toBeTruthy();
  });

  it("exports exactly the customer's data: every case of its own, none of another tenant's", async () => {
    const id = voice.stack.demo.customer.id;
    const res = await call(`${api()}/api/customers/${id}/export`, operatorSession);
    expect(res.status).toBe(200);
    const text = JSON.stringify(res.body);
    expect(text).toContain(marker);
    expect(text).toContain(callerNumber);
    expect(text).not.toContain(other.customerId);
    expect(text).not.toContain('Harbor Bakery');
    expect(text).not.toContain(other.email);
    const own = await Case.find({ customerId: id }, { _id: 1 }).lean();
    expect(res.body.cases.map((c: { _id: string }) => c._id).sort()).toEqual(
      own.map((c) => c._id).sort(),
    );
    const exported = res.body.cases.find((c: { _id: string }) => c._id === caseId);
    expect(exported.audit.length).toBeGreaterThan(0);
    expect(res.body.account._id).toBe(id);
    expect(res.body.people.map((p: { _id: string }) => p._id)).toContain(colleagueId);
    const logged = await mongoose.connection
      .db!.collection('privacy_actions')
      .findOne({ action: 'export_customer', customerId: id });
    expect(logged).toMatchObject({ actor: { role: 'operator' } });
  });

  it('erasing one person makes only their words unreadable; the rest stays readable', async () => {
    const id = voice.stack.demo.customer.id;
    const res = await call(
      `${api()}/api/customers/${id}/people/${colleagueId}/erase`,
      operatorSession,
      {
        body: {},
      },
    );
    expect(res.status).toBe(200);
    expect(await User.exists({ _id: colleagueId })).toBeNull();
    const words = await reportWords(ownerSession);
    expect(words).toContain(`Printer says ${marker}`);
    expect(words).toContain('(erased)');
    expect(words.join(' ')).not.toContain(colleagueMarker);
    // Another customer's person is not reachable through this customer.
    const otherUser = await User.findOne({ customerId: other.customerId }).lean();
    const cross = await call(
      `${api()}/api/customers/${id}/people/${otherUser!._id}/erase`,
      operatorSession,
      { body: {} },
    );
    expect(cross.status).toBe(404);
  });

  it('after the customer is erased: chains verify, nothing readable is left in store or history', async () => {
    const id = voice.stack.demo.customer.id;
    const wrong = await call(`${api()}/api/customers/${id}/erase`, operatorSession, {
      body: { confirm: 'Harbor Bakery' },
    });
    expect(wrong).toMatchObject({ status: 400, body: { code: 'CONFIRMATION_MISMATCH' } });
    const erased = await call(`${api()}/api/customers/${id}/erase`, operatorSession, {
      body: { confirm: 'Bayside Dental' },
    });
    expect(erased.status).toBe(200);

    // (a) the audit chain still verifies over the ciphertext
    const verdict = await call(`${api()}/api/cases/${caseId}/audit/verify`, operatorSession);
    expect(verdict).toMatchObject({ status: 200, body: { valid: true } });

    // (b) no collection holds the marker or the number in any readable form
    const traces = [
      marker,
      colleagueMarker,
      callerNumber,
      callerNumber.slice(1),
      callerNumber.slice(2),
      Buffer.from(marker).toString('base64').slice(0, 16),
    ];
    const db = mongoose.connection.db!;
    const found: string[] = [];
    for (const { name } of await db.listCollections().toArray()) {
      const docs = await db.collection(name).find({}).toArray();
      const text = JSON.stringify(docs);
      for (const t of traces) if (text.includes(t)) found.push(`${name}: ${t}`);
    }
    expect(found).toEqual([]);

    // (c) the case's Temporal history: raw, and each payload decoded by the client's converter
    const history = await voice.stack.client.workflow.getHandle(workflowId).fetchHistory();
    const raw = historyToJSON(history);
    for (const t of traces) expect(raw).not.toContain(t);
    const decoded = await decodedPayloads(history);
    expect(decoded.length).toBeGreaterThan(5);
    const decodedText = decoded.join('\n');
    for (const t of traces) expect(decodedText).not.toContain(t);
    expect(decodedText).toContain('pii1:');

    // (d) what the portal reads says "(erased)"
    const words = await reportWords(operatorSession);
    expect(words.length).toBeGreaterThanOrEqual(3);
    expect(words.every((w) => w === '(erased)')).toBe(true);
    const audit = await call(`${api()}/api/cases/${caseId}/audit`, operatorSession);
    const opened = audit.body.entries.find(
      (e: { actionType: string }) => e.actionType === 'case_opened',
    );
    expect(opened.actionDetails.callerPhone).toBe('(erased)');
    expect(opened.who).toBe('Caller on the phone');
    const logged = await db
      .collection('privacy_actions')
      .find({ customerId: id })
      .map((a) => a.action as string)
      .toArray();
    expect(logged.sort()).toEqual(['erase_customer', 'erase_person', 'export_customer']);
    // The other tenant is untouched.
    expect(await Customer.findById(other.customerId, { email: 1 }).lean()).toMatchObject({
      email: other.email,
    });
  });

  /** Every payload in the history, as the client's data converter reads it. */
  async function decodedPayloads(history: unknown): Promise<string[]> {
    const converter = voice.stack.client.options.loadedDataConverter;
    const payloads: Payload[] = [];
    const walk = (value: unknown): void => {
      if (!value || typeof value !== 'object') return;
      if (Array.isArray(value)) return value.forEach(walk);
      const maybe = value as { metadata?: unknown; data?: unknown };
      if (maybe.metadata && maybe.data instanceof Uint8Array) {
        payloads.push(value as Payload);
        return;
      }
      Object.values(value).forEach(walk);
    };
    walk(history);
    const out: string[] = [];
    for (const payload of payloads) {
      let decodedPayload = payload;
      for (const codec of [...converter.payloadCodecs].reverse()) {
        decodedPayload = (await codec.decode([decodedPayload]))[0]!;
      }
      try {
        out.push(JSON.stringify(converter.payloadConverter.fromPayload(decodedPayload!)));
      } catch {
        out.push(Buffer.from(decodedPayload!.data ?? []).toString('utf8'));
      }
    }
    return out;
  }
});
