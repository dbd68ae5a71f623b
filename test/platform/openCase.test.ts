import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Case, Customer, Device, Site } from '../../store/models';
import { hashToken } from '../../store/tokens';
import { createPersonWithToken } from '../support/people';
import { toolPath } from '../../temporal-config/tools';
import { caseStateQuery, closeCaseSignal, searchAttributes } from '../../workflows/messages';
import { temporalAddress, temporalNamespace } from '../support/env';
import { call, eventually, startTestStack, type TestStack } from '../support/stack';

const run = promisify(execFile);

describe('opening a case: API → Temporal → activity → MongoDB', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('open_case');
  });
  afterAll(async () => {
    // Leave no running case behind on the shared server.
    await stack.client.workflow
      .getHandle(`support-case-${stack.demo.device.deviceId}`)
      .signal(closeCaseSignal, { actor: { id: 'test', role: 'operator' }, reason: 'test over' })
      .catch(() => undefined);
    await stack.stop();
  });

  it('starts supportCase on support-cases with search attributes and writes the case document', async () => {
    const { demo, apiUrl, client } = stack;
    const res = await call(`${apiUrl}/api/cases`, demo.customer.token, {
      body: { deviceId: demo.device.deviceId, description: 'Internet is down' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      joined: false,
      workflowId: `support-case-${demo.device.deviceId}`,
    });
    const { caseId, workflowId } = res.body;

    const handle = client.workflow.getHandle(workflowId);
    const description = await handle.describe();
    expect(description.type).toBe('supportCase');
    expect(description.taskQueue).toBe(stack.taskQueue);
    expect(description.typedSearchAttributes.get(searchAttributes.customerId)).toBe(
      demo.customer.id,
    );
    expect(description.typedSearchAttributes.get(searchAttributes.deviceId)).toBe(
      demo.device.deviceId,
    );
    expect(description.typedSearchAttributes.get(searchAttributes.channel)).toBe('api');
    expect(description.typedSearchAttributes.get(searchAttributes.status)).toBe('open');
    expect(await description.memo).toEqual({ businessName: 'Bayside Dental' });
    // The summary operators read in the Temporal UI names the business and the box, never
    // the reporter's words (they travel sealed: privacy/).
    const summary = await description.staticSummary();
    expect(summary).toContain('Bayside Dental');
    expect(summary).not.toContain('Internet is down');

    const doc = await eventually(() => Case.findById(caseId).lean(), { what: 'case document' });
    expect(doc).toMatchObject({
      workflowId,
      runId: description.runId,
      customerId: demo.customer.id,
      deviceId: demo.device.deviceId,
      channel: 'api',
      status: 'open',
    });
    expect((await handle.query(caseStateQuery)).caseId).toBe(caseId);

    // The operator's view: the Temporal CLI finds it by customer.
    const { stdout } = await eventually(
      async () => {
        const out = await run(toolPath('temporal'), [
          'workflow',
          'list',
          '--address',
          temporalAddress(),
          '--namespace',
          temporalNamespace(),
          '--query',
          `CustomerId="${demo.customer.id}"`,
          '--output',
          'json',
        ]);
        return out.stdout.includes(workflowId) ? out : undefined;
      },
      { what: 'the case in workflow list (visibility)' },
    );
    expect(JSON.parse(stdout)[0]).toMatchObject({
      execution: { workflowId },
      type: { name: 'supportCase' },
    });
  });

  it('joins the running case when the same device is reported again', async () => {
    const { demo, apiUrl } = stack;
    const first = await call(`${apiUrl}/api/cases`, demo.customer.token, {
      body: { deviceId: demo.device.deviceId },
    });
    const again = await call(`${apiUrl}/api/cases`, demo.operator.token, {
      body: { deviceId: demo.device.deviceId, channel: 'phone' },
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ caseId: first.body.caseId, joined: true });
  });

  it('shows a case only to its customer and to operators', async () => {
    const { demo, apiUrl } = stack;
    const opened = await call(`${apiUrl}/api/cases`, demo.customer.token, {
      body: { deviceId: demo.device.deviceId },
    });
    const caseId = opened.body.caseId as string;
    await eventually(() => Case.findById(caseId).lean(), { what: 'case document' });

    // A second tenant with a device of its own.
    const other = await Customer.create({
      businessName: 'Other Bakery',
      primaryPhone: '+15550000001',
      email: 'owner@other.example',
    });
    const site = await Site.create({ customerId: other._id, name: 'Shop' });
    await Device.create({
      customerId: other._id,
      siteId: site._id,
      deviceId: 'pi-other-1',
      serialNumber: 'RPI-OTHER-1',
      tokenHash: hashToken('zd_other_device_token'),
    });
    const { token: otherToken } = await createPersonWithToken({
      email: 'owner@other.example',
      role: 'customer',
      customerId: other._id,
    });

    const mine = await call(`${apiUrl}/api/cases/${caseId}`, demo.customer.token);
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ id: caseId, customerId: demo.customer.id });
    expect((await call(`${apiUrl}/api/cases/${caseId}`, demo.operator.token)).status).toBe(200);

    const theirs = await call(`${apiUrl}/api/cases/${caseId}`, otherToken);
    expect(theirs).toEqual({
      status: 404,
      body: { error: `No case ${caseId}`, code: 'CASE_NOT_FOUND' },
    });
    const list = await call(`${apiUrl}/api/cases`, otherToken);
    expect(list).toEqual({ status: 200, body: { cases: [] } });
    const foreignDevice = await call(`${apiUrl}/api/cases`, otherToken, {
      body: { deviceId: demo.device.deviceId },
    });
    expect(foreignDevice.status).toBe(404);

    expect((await call(`${apiUrl}/api/cases`, undefined)).status).toBe(401);
    expect((await call(`${apiUrl}/api/cases`, 'zu_not_a_real_token_at_all')).status).toBe(401);
  });

  it('rejects a malformed request with a clear error', async () => {
    const { demo, apiUrl } = stack;
    const res = await call(`${apiUrl}/api/cases`, demo.customer.token, {
      body: { deviceId: 42, channel: 'fax' },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_REQUEST');
    // The channel is not the caller's to say (it follows from the sign-in): only deviceId is wrong.
    expect(res.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['deviceId']);
  });
});
