import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { io } from 'socket.io-client';
import { createApiLink } from '../../activities/apiLink';
import { Case, Device, DeviceCommandDoc } from '../../store/models';
import { SimulatedNetwork } from '../../agent/simulator/network';
import { internalLink } from '../../contracts/api';
import { baselineChecks } from '../../contracts/checks';
import { connectDevice, openDemoCase } from '../support/cases';
import { call, eventually, startTestStack, type TestStack } from '../support/stack';

// The original device contracts, command resend on reconnect, and the audit command.

const run = promisify(execFile);
const root = path.resolve(__dirname, '..', '..');

describe('device endpoints and delivery', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('device_api');
  });
  afterAll(() => stack.stop());

  it('POST /api/device/register: a customer enrolls a device, the device re-registers itself', async () => {
    const { apiUrl, demo } = stack;
    const enrolled = await call(`${apiUrl}/api/device/register`, demo.customer.token, {
      body: {
        deviceId: 'pi-new-1',
        serialNumber: 'RPI4B-NEW-1',
        networkInfo: { interfaces: ['eth0'] },
      },
    });
    expect(enrolled.status).toBe(201);
    expect(enrolled.body).toMatchObject({
      status: 'registered',
      sessionId: null,
      cloudEndpoint: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+\/device$/),
      deviceToken: expect.stringMatching(/^zd_/),
    });
    const again = await call(`${apiUrl}/api/device/register`, demo.customer.token, {
      body: { deviceId: 'pi-new-1', serialNumber: 'RPI4B-NEW-1' },
    });
    expect(again.status).toBe(409);

    const self = await call(`${apiUrl}/api/device/register`, enrolled.body.deviceToken, {
      body: {
        deviceId: 'pi-new-1',
        serialNumber: 'RPI4B-NEW-1',
        networkInfo: { interfaces: ['eth0', 'wlan0'], defaultGateway: '192.168.1.1' },
      },
    });
    expect(self).toMatchObject({ status: 200, body: { status: 'registered', sessionId: null } });
    expect((await Device.findOne({ deviceId: 'pi-new-1' }).lean())!.networkConfig).toEqual({
      interfaces: ['eth0', 'wlan0'],
      defaultGateway: '192.168.1.1',
    });
    const other = await call(`${apiUrl}/api/device/register`, enrolled.body.deviceToken, {
      body: { deviceId: demo.device.deviceId, serialNumber: 'X' },
    });
    expect(other.status).toBe(403);
    // A device token reads no cases.
    expect((await call(`${apiUrl}/api/cases`, enrolled.body.deviceToken)).status).toBe(403);
  });

  it('POST /api/device/diagnostic: pushed results get an analysis, and a fault opens the case', async () => {
    const { apiUrl, demo } = stack;
    const network = new SimulatedNetwork('dns-failure');
    const results = baselineChecks.map((check) => network.runCheck(check));
    const device = connectDevice(stack, 'dns-failure');
    try {
      const res = await call(`${apiUrl}/api/device/diagnostic`, demo.device.token, {
        body: { sessionId: 'sess_local', diagnosticData: { results, sanitized: true } },
      });
      expect(res.status).toBe(200);
      // Before a fix of the box's own resolver, the offline engine measures where the silent
      // resolver comes from: what the router's DHCP hands out, and the router's own view.
      expect(res.body).toEqual({
        analysis: expect.stringMatching(/resolver/i),
        nextActions: ['dhcp_servers', 'router_api'],
        requiresApproval: false,
      });
      const opened = await eventually(
        () => Case.findOne({ deviceId: demo.device.deviceId, channel: 'agent' }).lean(),
        { what: 'the agent-opened case' },
      );
      const handle = stack.client.workflow.getHandle(opened.workflowId);
      await handle.signal('closeCase', { actor: { id: 'test', role: 'operator' }, reason: 'done' });
      await handle.result();

      const unsanitized = await call(`${apiUrl}/api/device/diagnostic`, demo.device.token, {
        body: { diagnosticData: { results, sanitized: false } },
      });
      expect(unsanitized.status).toBe(400);
    } finally {
      device.stop();
    }
  });

  it('a command stored while the device was away is sent when it reconnects', async () => {
    const { demo } = stack;
    await eventually(
      async () =>
        (await Device.findOne({ deviceId: demo.device.deviceId }).lean())?.status === 'offline',
      { what: 'the earlier connection to be gone' },
    );
    // The API lost track: the device looks online but has no connection.
    await Device.updateOne({ deviceId: demo.device.deviceId }, { $set: { status: 'online' } });
    const { caseId, handle } = await openDemoCase(stack);
    const pending = await eventually(
      () => DeviceCommandDoc.findOne({ caseId, status: 'pending' }).lean(),
      { what: 'an undelivered command' },
    );
    // Written by the worker through the driver: the fields mongoose would have filled in.
    expect(pending.createdAt).toBeInstanceOf(Date);
    expect(pending.updatedAt).toBeInstanceOf(Date);
    const device = connectDevice(stack, 'healthy');
    try {
      expect((await handle.result()).status).toBe('resolved');
      expect(await DeviceCommandDoc.findById(pending._id).lean()).toMatchObject({
        status: 'answered',
        result: { ok: true },
      });

      // The audit command agrees with the API.
      const { stdout } = await run(
        process.execPath,
        ['--import', 'tsx', 'scripts/verifyAudit.ts', caseId],
        { cwd: root, env: { ...process.env, MONGO_URL: stack.mongoUrl } },
      );
      expect(stdout).toMatch(new RegExp(`${caseId}: ok \\(\\d+ entries\\)`));
    } finally {
      device.stop();
    }
  });

  it("the worker's link pushes the command it carries, and takes only the service token", async () => {
    const command = {
      kind: 'diagnose' as const,
      commandId: 'case-x:cmd1',
      caseId: 'case-x',
      checks: ['link' as const],
    };
    const api = createApiLink(stack.apiUrl, stack.internalToken);
    const device = io(`${stack.apiUrl}/device`, {
      auth: { token: stack.demo.device.token },
      transports: ['websocket'],
    });
    const raw = io(`${stack.apiUrl}${internalLink.namespace}`, {
      auth: { token: stack.internalToken },
      transports: ['websocket'],
    });
    try {
      expect(await api.pushCommand('pi-not-connected', command)).toBe(false);

      const received = new Promise((resolve) => device.once('command', resolve));
      await eventually(
        async () =>
          (await Device.findOne({ deviceId: stack.demo.device.deviceId }))?.status === 'online',
        { what: 'the device online' },
      );
      expect(await api.pushCommand(stack.demo.device.deviceId, command)).toBe(true);
      expect(await received).toEqual(command);

      // Checked at the edge: a push that is not a catalog command is answered with an error.
      const ask = (message: unknown) =>
        raw.timeout(5000).emitWithAck(internalLink.pushCommand, message) as Promise<unknown>;
      expect(await ask({})).toEqual({ error: expect.stringMatching(/^Not a command push/) });
      expect(await ask({ deviceId: 'pi-x', command: { ...command, kind: 'reboot' } })).toEqual({
        error: expect.stringMatching(/^Not a command push/),
      });
    } finally {
      api.close();
      device.close();
      raw.close();
    }

    // Only the worker's service token opens the link.
    for (const token of [stack.demo.device.token, stack.demo.customer.token, 'zs_guess']) {
      const other = io(`${stack.apiUrl}${internalLink.namespace}`, {
        auth: { token },
        transports: ['websocket'],
      });
      const outcome = await new Promise<string>((resolve) => {
        other.once('connect', () => resolve('connected'));
        other.once('connect_error', (err) => resolve(err.message));
      });
      other.close();
      expect(outcome).toBe('unauthorized');
    }
  });
});
