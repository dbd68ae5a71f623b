import { randomUUID } from 'node:crypto';
import { Case, Customer } from '../../store/models';
import { call, startTestStack, type TestStack } from '../support/stack';

// The operators' queue reads when each handed-over case was handed over and when its service
// levels fall due: the customer's own levels when set, the API's defaults otherwise.

/** The API's service levels for customers without their own. */
const sla = { firstResponseMinutes: 30, resolutionMinutes: 240 };

describe("the operators' queue of handed-over cases", () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack('techqueue', { worker: false, api: { sla } });
  });
  afterAll(async () => {
    await stack.stop();
  });

  async function handedOverCase(openedAt: Date, handedOverAt: Date) {
    const id = randomUUID();
    await Case.create({
      _id: id,
      workflowId: `case-${id}`,
      customerId: stack.demo.customer.id,
      deviceId: stack.demo.device.deviceId,
      channel: 'portal',
      status: 'awaiting_technician',
      createdAt: openedAt,
      handedOverAt,
    });
    return id;
  }

  async function listed(id: string) {
    const res = await call(
      `${stack.apiUrl}/api/cases?status=awaiting_technician,with_technician`,
      stack.demo.operator.token,
    );
    expect(res.status).toBe(200);
    return (res.body.cases as { id: string }[]).find((c) => c.id === id) as Record<string, unknown>;
  }

  it('gives the hand-over time and the SLA due times from the defaults', async () => {
    const opened = new Date('2026-12-01T09:00:00Z');
    const handed = new Date('2026-12-01T09:20:00Z');
    const id = await handedOverCase(opened, handed);
    expect(await listed(id)).toMatchObject({
      status: 'awaiting_technician',
      handedOverAt: handed.toISOString(),
      slaDue: {
        firstResponseBy: new Date(
          handed.getTime() + sla.firstResponseMinutes * 60_000,
        ).toISOString(),
        resolutionBy: new Date(opened.getTime() + sla.resolutionMinutes * 60_000).toISOString(),
      },
    });
  });

  it("uses the customer's own service levels when they have them, and only whole ones", async () => {
    // Half a setting is no setting: the defaults, as the case itself gets them.
    await Customer.updateOne(
      { _id: stack.demo.customer.id },
      { $set: { sla: { firstResponseMinutes: 15 } } },
    );
    const half = await handedOverCase(
      new Date('2026-12-02T08:00:00Z'),
      new Date('2026-12-02T08:05:00Z'),
    );
    expect((await listed(half)).slaDue).toEqual({
      firstResponseBy: '2026-12-02T08:35:00.000Z',
      resolutionBy: '2026-12-02T12:00:00.000Z',
    });
    await Customer.updateOne(
      { _id: stack.demo.customer.id },
      { $set: { sla: { firstResponseMinutes: 15, resolutionMinutes: 120 } } },
    );
    const id = await handedOverCase(
      new Date('2026-12-02T10:00:00Z'),
      new Date('2026-12-02T10:05:00Z'),
    );
    expect((await listed(id)).slaDue).toEqual({
      firstResponseBy: '2026-12-02T10:20:00.000Z',
      resolutionBy: '2026-12-02T12:00:00.000Z',
    });
  });

  it('gives customers no service levels, only the hand-over', async () => {
    const id = await handedOverCase(
      new Date('2026-12-03T09:00:00Z'),
      new Date('2026-12-03T09:10:00Z'),
    );
    const res = await call(
      `${stack.apiUrl}/api/cases?status=awaiting_technician`,
      stack.demo.customer.token,
    );
    const theirs = (res.body.cases as Record<string, unknown>[]).find((c) => c.id === id)!;
    expect(theirs.handedOverAt).toBe('2026-12-03T09:10:00.000Z');
    expect(theirs).not.toHaveProperty('slaDue');
  });

  it('gives no due times for a case never handed over', async () => {
    const id = randomUUID();
    await Case.create({
      _id: id,
      workflowId: `case-${id}`,
      customerId: stack.demo.customer.id,
      deviceId: stack.demo.device.deviceId,
      channel: 'portal',
      status: 'diagnosing',
    });
    const res = await call(
      `${stack.apiUrl}/api/cases?status=diagnosing`,
      stack.demo.operator.token,
    );
    const plain = (res.body.cases as Record<string, unknown>[]).find((c) => c.id === id)!;
    expect(plain.status).toBe('diagnosing');
    expect(plain).not.toHaveProperty('handedOverAt');
    expect(plain).not.toHaveProperty('slaDue');
  });
});
