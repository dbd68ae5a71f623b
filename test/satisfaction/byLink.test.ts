import { randomUUID } from 'node:crypto';
import { caseOfRatingToken, ratingToken } from '../../api/satisfaction/links';
import { notify } from '../../notifier/notify';
import { Case } from '../../store/models';
import { CaseSatisfaction } from '../../store/satisfaction';
import { unseal } from '../../privacy/seal';
import { emailsTo } from '../notifications/support';
import { connectDevice, openDemoCase } from '../support/cases';
import { call, eventually, startTestStack, type TestStack } from '../support/stack';
import { seedOtherTenant, type OtherTenant } from '../support/tenants';

// Asked once: the closing email's five rating links, the rating page's routes behind them,
// and the case page's own route, all on a case the real stack resolved.

describe('satisfaction by the emailed link and the portal', () => {
  let stack: TestStack;
  let other: OtherTenant;
  let caseId: string;
  let links: string[];

  beforeAll(async () => {
    stack = await startTestStack('csat-link', {
      notifications: {},
      // Many answers from one address here; the budget has its own test (rateLimit.test.ts).
      api: {
        security: {
          corsOrigins: [],
          trustProxy: 'loopback',
          rateLimits: { signInPerMinute: 1000, webhookPerMinute: 1000, devicePerMinute: 1000 },
          metricsToken: undefined,
        },
      },
    });
    other = await seedOtherTenant();
    const device = connectDevice(stack, 'healthy');
    try {
      const opened = await openDemoCase(stack);
      caseId = opened.caseId;
      expect((await opened.handle.result()).status).toBe('resolved');
    } finally {
      device.stop();
    }
    await eventually(async () => (await Case.findById(caseId).lean())?.status === 'resolved', {
      what: 'the resolved case document',
    });
  });
  afterAll(() => stack?.stop());

  const api = (path: string) => `${stack.apiUrl}/api${path}`;
  const tokenOf = (link: string) => new URL(link).pathname.split('/').at(-1)!;

  it('the closing email ends with five rating links, one per score', async () => {
    await notify(stack.client, stack.taskQueue, {
      type: 'case_resolved',
      key: `${caseId}:resolved-rating-test`,
      at: new Date().toISOString(),
      customerId: stack.demo.customer.id,
      deviceId: stack.demo.device.deviceId,
      caseId,
      facts: { fixed: false, askRating: true },
    });
    const [mail] = await eventually(
      async () => {
        const found = emailsTo(stack.notifier!, stack.demo.customer.email, 'How did we do?');
        return found.length > 0 && found;
      },
      { what: 'the closing email with the rating links' },
    );
    links = [...mail!.matchAll(/^(\d) \([a-z ]+\): (http:\/\/portal\.test\/rate\/\S+)$/gm)].map(
      (m) => m[2]!,
    );
    expect(links).toHaveLength(5);
    links.forEach((link, i) => {
      expect(new URL(link).searchParams.get('score')).toBe(String(i + 1));
      expect(caseOfRatingToken(tokenOf(link))).toBe(caseId);
    });
    // The HTML part has them as links too.
    expect(mail).toMatch(/Content-Type: text\/html/);
    // Operators' copies (if any) never carry rating links: none went elsewhere.
    expect(emailsTo(stack.notifier!, 'oncall@zen-support.example', '/rate/')).toEqual([]);
  });

  it('a link shows the rating page, stores the answer once, and refuses a second', async () => {
    const token = tokenOf(links[3]!);
    const page = await call(api(`/satisfaction/${token}`), undefined);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({
      businessName: stack.demo.customer.businessName,
      outcome: 'Your case was resolved.',
      answered: false,
    });
    expect(Date.parse(page.body.closedAt)).toBeGreaterThan(0);

    const answered = await call(api(`/satisfaction/${token}`), undefined, {
      body: { score: 4, comment: '  Quick and clear, thank you.  ' },
    });
    expect(answered.status).toBe(201);
    expect(answered.body).toMatchObject({
      rateable: false,
      answer: { score: 4, comment: 'Quick and clear, thank you.', channel: 'email' },
    });
    const stored = await CaseSatisfaction.findById(caseId).lean();
    expect(stored).toMatchObject({
      customerId: stack.demo.customer.id,
      score: 4,
      comment: expect.stringMatching(/^pii1:customer:/),
      channel: 'email',
    });
    // Kept sealed under the business's key (privacy/).
    expect(await unseal(stored!.comment!)).toBe('Quick and clear, thank you.');
    expect(stored!.at).toBeInstanceOf(Date);

    // Again by the same link, or by another of the five: refused, the first answer stays.
    for (const link of [links[3]!, links[0]!]) {
      const again = await call(api(`/satisfaction/${tokenOf(link)}`), undefined, {
        body: { score: 1 },
      });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ code: 'ALREADY_ANSWERED' });
      expect(again.body.error).toMatch(/rated already/);
    }
    expect((await call(api(`/satisfaction/${token}`), undefined)).body.answered).toBe(true);
    expect((await CaseSatisfaction.findById(caseId).lean())!.score).toBe(4);
  });

  it('tampered, expired and unknown tokens get one and the same 404', async () => {
    const good = tokenOf(links[0]!);
    const last = good.at(-2) === 'A' ? 'B' : 'A';
    const tampered = `${good.slice(0, -2)}${last}${good.at(-1)}`;
    const otherCase = good.replace(caseId, other.caseId);
    const expired = ratingToken(caseId, Date.now() - 31 * 24 * 3_600_000);
    const unknown = ratingToken(randomUUID());
    const answers = [];
    for (const token of [tampered, otherCase, expired, unknown, 'nonsense']) {
      answers.push(await call(api(`/satisfaction/${encodeURIComponent(token)}`), undefined));
      answers.push(
        await call(api(`/satisfaction/${encodeURIComponent(token)}`), undefined, {
          body: { score: 5 },
        }),
      );
    }
    for (const answer of answers) {
      expect(answer).toEqual({
        status: 404,
        body: { error: 'This link or case was not found', code: 'NOT_FOUND' },
      });
    }
    expect(await CaseSatisfaction.countDocuments()).toBe(1);
  });

  it('the case page: the customer sees the answer and may not answer again; nobody else may', async () => {
    const mine = await call(api(`/cases/${caseId}/satisfaction`), stack.demo.customer.token);
    expect(mine).toMatchObject({
      status: 200,
      body: { rateable: false, answer: { score: 4, channel: 'email' } },
    });
    const again = await call(api(`/cases/${caseId}/satisfaction`), stack.demo.customer.token, {
      body: { score: 2 },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('ALREADY_ANSWERED');

    // Another customer: the same answer as for a case that does not exist.
    for (const id of [caseId, randomUUID()]) {
      const read = await call(api(`/cases/${id}/satisfaction`), other.token);
      expect(read).toEqual({
        status: 404,
        body: { error: `No case ${id}`, code: 'CASE_NOT_FOUND' },
      });
      const write = await call(api(`/cases/${id}/satisfaction`), other.token, {
        body: { score: 5 },
      });
      expect(write.status).toBe(404);
    }
    // Operators read it, but do not answer for the customer.
    const operator = await call(api(`/cases/${caseId}/satisfaction`), stack.demo.operator.token);
    expect(operator.body.answer.score).toBe(4);
    const forThem = await call(api(`/cases/${caseId}/satisfaction`), stack.demo.operator.token, {
      body: { score: 5 },
    });
    expect(forThem.status).toBe(403);
    expect((await CaseSatisfaction.findById(caseId).lean())!.score).toBe(4);
  });

  it('bad input: 400 with the problems, and nothing stored', async () => {
    await CaseSatisfaction.deleteOne({ _id: caseId });
    const token = tokenOf(links[0]!);
    for (const body of [
      { score: 6 },
      { score: 0 },
      { score: 3.5 },
      { score: '5' },
      {},
      { score: 3, comment: 'x'.repeat(1001) },
      { score: 3, extra: true },
    ]) {
      const res = await call(api(`/satisfaction/${token}`), undefined, { body });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('INVALID_REQUEST');
      expect(res.body.details.length).toBeGreaterThan(0);
      const portal = await call(api(`/cases/${caseId}/satisfaction`), stack.demo.customer.token, {
        body,
      });
      expect(portal.status).toBe(400);
    }
    expect(await CaseSatisfaction.exists({ _id: caseId })).toBeNull();
    // The portal may answer now, once.
    const portal = await call(api(`/cases/${caseId}/satisfaction`), stack.demo.customer.token, {
      body: { score: 5 },
    });
    expect(portal.status).toBe(201);
    expect(portal.body.answer).toMatchObject({ score: 5, channel: 'portal' });
    const byLink = await call(api(`/satisfaction/${token}`), undefined, { body: { score: 1 } });
    expect(byLink.status).toBe(409);
  });

  it('an open case and a cancelled one cannot be rated', async () => {
    // No box connected: the case stays open, waiting for it.
    const { caseId: openId, handle } = await openDemoCase(stack, 'The printer is offline');
    await eventually(async () => Case.exists({ _id: openId }), { what: 'the case document' });
    const refusedWhile = async () => {
      const byLink = await call(api(`/satisfaction/${ratingToken(openId)}`), undefined, {
        body: { score: 5 },
      });
      const byPortal = await call(api(`/cases/${openId}/satisfaction`), stack.demo.customer.token, {
        body: { score: 5 },
      });
      return [byLink, byPortal].map((r) => [r.status, r.body.code]);
    };
    expect(await refusedWhile()).toEqual([
      [409, 'NOT_RATEABLE'],
      [409, 'NOT_RATEABLE'],
    ]);
    const view = await call(api(`/cases/${openId}/satisfaction`), stack.demo.customer.token);
    expect(view.body).toEqual({ rateable: false });

    const closed = await call(api(`/cases/${openId}/close`), stack.demo.operator.token, {
      body: { reason: 'opened by mistake' },
    });
    expect(closed.status).toBe(202);
    expect((await handle.result()).status).toBe('cancelled');
    await eventually(async () => (await Case.findById(openId).lean())?.status === 'cancelled', {
      what: 'the cancelled case document',
    });
    expect(await refusedWhile()).toEqual([
      [409, 'NOT_RATEABLE'],
      [409, 'NOT_RATEABLE'],
    ]);
    expect(await CaseSatisfaction.exists({ _id: openId })).toBeNull();
  });
});
