import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { startSimulatedAgent, type SimulatedAgent } from '../../agent/simulatedAgent';
import { startPostgres, type PostgresServer } from '../../cluster/postgres';
import { startSmtpSink, type SmtpSink } from '../../stand-ins/smtpSink';
import { startTelnyxStandIn, type TelnyxStandIn } from '../../stand-ins/telnyx';
import { internalLink, type PushCommandAck } from '../../contracts/api';
import type { DeviceCommand } from '../../contracts/device';
import type { MonitorState } from '../../contracts/monitor';
import { monitorStateChanged } from '../../api/monitoring/history';
import { busTimings } from '../../api/socketBus';
import { prompts } from '../../api/voice/prompts';
import { seedDemo, type DemoCredentials } from '../../scripts/seed';
import { connectStore, disconnectStore } from '../../store/connection';
import { AuditEntry, Case, Customer, Device, Site } from '../../store/models';
import { hashToken, newToken } from '../../store/tokens';
import { connectTemporal, type TemporalClient } from '../../temporal-config/client';
import {
  freePort,
  restartable,
  spawnService,
  waitUntilReady,
  type Restartable,
} from '../../temporal-config/process';
import type { supportCase } from '../../workflows/supportCase';
import { waitForStatus } from '../support/cases';
import { freshMongoUrl, temporalAddress, temporalNamespace } from '../support/env';
import { seedFleet, type FleetDevice } from '../support/fleet';
import { readLatestCode } from '../support/mail';
import { startNodeWorker } from '../support/processStack';
import { call, eventually } from '../support/stack';
import { mailsTo, waitForCallState, waitToHear } from '../voice/support';

// Two API processes sharing a PostgreSQL bus (api/socketBus.ts), a worker linked to
// instance A only, and the box and the portal connected to instance B: every command,
// case status and live update must cross from A to B. Without the bus they do not.
// Telnyx's webhooks come through a round-robin balancer that knows nothing of calls:
// each call event reaches the instance holding the call over the bus (api/voice/callHandoff.ts).

const root = path.resolve(__dirname, '..', '..');

interface ApiProcess {
  process: Restartable;
  url: string;
  env: NodeJS.ProcessEnv;
}

/** An API instance (api/main.ts) as its own process; `env` is read again at each start. */
async function startApi(name: string, dir: string, env: NodeJS.ProcessEnv): Promise<ApiProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const own: NodeJS.ProcessEnv = {
    ...env,
    API_PORT: String(port),
    API_URL: url,
    API_INSTANCE: name,
  };
  const process_ = await restartable(name, async () => {
    const service = spawnService(name, process.execPath, ['--import', 'tsx', 'api/main.ts'], {
      cwd: root,
      env: own,
      logFile: path.join(dir, `${name}.log`),
    });
    await waitUntilReady(
      service,
      async () => {
        const res = await fetch(`${url}/api/health`);
        if (res.status !== 200) throw new Error(`health ${res.status}`);
      },
      { logFile: path.join(dir, `${name}.log`), timeoutMs: 60_000 },
    );
    return service;
  });
  return { process: process_, url, env: own };
}

/** Where the balancer sent one webhook, and what that instance answered. */
interface Routed {
  instance: string;
  eventType: string;
  callControlId: string;
  status: number;
}

interface WebhookRouter {
  url: string;
  routed: Routed[];
  close(): void;
}

/**
 * A load balancer for Telnyx's webhooks that knows nothing of calls: each webhook goes to the
 * next instance in turn, or to the one after when an instance refuses the connection (it
 * died), as HAProxy's redispatch does.
 */
async function startWebhookRouter(instances: () => Record<string, string>): Promise<WebhookRouter> {
  let turn = 0;
  const routed: Routed[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(req.headers)) {
        if (typeof value === 'string' && (key.startsWith('telnyx-') || key === 'content-type')) {
          headers[key] = value;
        }
      }
      const data = (JSON.parse(body.toString('utf8')) as { data?: Record<string, unknown> }).data;
      const event = {
        eventType: String(data?.event_type),
        callControlId: String((data?.payload as { call_control_id?: unknown })?.call_control_id),
      };
      const targets = Object.entries(instances());
      const first = turn++;
      for (let i = 0; i < targets.length; i++) {
        const [instance, url] = targets[(first + i) % targets.length]!;
        let answer: Response;
        try {
          answer = await fetch(`${url}${req.url}`, { method: 'POST', headers, body });
        } catch {
          continue; // Down: the next one.
        }
        const text = await answer.text();
        routed.push({ instance, ...event, status: answer.status });
        res.writeHead(answer.status).end(text);
        return;
      }
      res.writeHead(503).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/api/voice/telnyx/webhook`,
    routed,
    close: () => server.close(),
  };
}

/** A customer with one Zen box of their own: a call from the demo customer asks which box. */
interface Caller {
  id: string;
  phone: string;
  email: string;
  businessName: string;
  deviceId: string;
  token: string;
}

async function seedCaller(): Promise<Caller> {
  const tag = randomUUID().slice(0, 8);
  const phone = `+1555${String(Math.floor(Math.random() * 10_000_000)).padStart(7, '0')}`;
  const email = `calls-${tag}@example.com`;
  const businessName = 'Harbour Dental';
  const customer = await Customer.create({
    businessName,
    primaryPhone: phone,
    phones: [phone],
    email,
  });
  const site = await Site.create({ customerId: customer._id, name: 'Front desk' });
  const deviceId = `pi-calls-${tag}`;
  const token = newToken('zd');
  await Device.create({
    customerId: customer._id,
    siteId: site._id,
    deviceId,
    serialNumber: `SN-${deviceId}`,
    tokenHash: hashToken(token),
  });
  return { id: customer._id, phone, email, businessName, deviceId, token };
}

/** A raw device socket that only listens: the commands it is sent, and whether it was dropped. */
function listeningDevice(apiUrl: string, token: string) {
  const socket: Socket = connectSocket(`${apiUrl}/device`, {
    auth: { token },
    transports: ['websocket'],
    // A connection of its own, as each box has: sockets to one address would share one otherwise.
    forceNew: true,
    reconnection: false,
  });
  const commands: DeviceCommand[] = [];
  socket.on('command', (command: DeviceCommand) => commands.push(command));
  return { socket, commands };
}

/** The worker's internal link to one API instance, as the worker's service token opens it. */
function internalSocket(apiUrl: string, token: string): Socket {
  return connectSocket(`${apiUrl}${internalLink.namespace}`, {
    auth: { token },
    transports: ['websocket'],
    forceNew: true,
  });
}

function diagnose(caseId: string): DeviceCommand {
  return { commandId: `cmd-${randomUUID()}`, caseId, kind: 'diagnose', checks: ['dns'] };
}

async function push(link: Socket, deviceId: string, command: DeviceCommand) {
  return (await link
    .timeout(5_000)
    .emitWithAck(internalLink.pushCommand, { deviceId, command })) as PushCommandAck;
}

async function componentsOf(api: ApiProcess, operatorToken: string) {
  return (await call(`${api.url}/api/health/components`, operatorToken)).body as {
    bus?: string;
  };
}

describe('several API instances share their sockets through the PostgreSQL bus', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'zen-cross-'));
  const internalToken = randomBytes(24).toString('base64url');
  let postgres: PostgresServer;
  let a: ApiProcess;
  let b: ApiProcess;
  let worker: Restartable | undefined;
  let temporal: TemporalClient;
  let demo: DemoCredentials;
  let spare: FleetDevice[];
  let telnyx: TelnyxStandIn;
  let webhookRouter: WebhookRouter;
  let mail: SmtpSink;
  let caller: Caller;
  const sockets: Socket[] = [];
  /** The first test's case, and what its box on B was told. */
  let firstCase: { caseId: string; told: string[] } | undefined;
  const agents: SimulatedAgent[] = [];
  const track = <S extends { socket: Socket } | Socket>(s: S): S => {
    sockets.push('socket' in s ? s.socket : s);
    return s;
  };

  beforeAll(async () => {
    // PostgreSQL runs as its own user when the tests run as root: it must reach its directory.
    chmodSync(dir, 0o755);
    postgres = await startPostgres({
      dataDir: path.join(dir, 'postgres', 'data'),
      port: await freePort(),
      logFile: path.join(dir, 'postgres.log'),
    });
    await postgres.ensureDatabase('zen_bus');
    const mongoUrl = freshMongoUrl('cross_instance');
    await connectStore(mongoUrl);
    demo = await seedDemo(dir, { deviceId: `pi-cross-${randomUUID().slice(0, 8)}` });
    spare = await seedFleet(demo, 4);
    caller = await seedCaller();
    const taskQueue = `cross-${randomUUID().slice(0, 8)}`;
    telnyx = await startTelnyxStandIn();
    mail = await startSmtpSink({ outbox: path.join(dir, 'outbox') });
    webhookRouter = await startWebhookRouter(() => ({ 'api-a': a.url, 'api-b': b.url }));
    // Telnyx's connection posts to the load balancer, which spreads the events.
    telnyx.webhookUrl = webhookRouter.url;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: dir,
      TEMPORAL_ADDRESS: temporalAddress(),
      TEMPORAL_NAMESPACE: temporalNamespace(),
      TEMPORAL_TASK_QUEUE: taskQueue,
      MONGO_URL: mongoUrl,
      INTERNAL_API_TOKEN: internalToken,
      JWT_SECRET: randomBytes(32).toString('hex'),
      SOCKET_BUS_URL: postgres.url('zen_bus'),
      LOG_LEVEL: 'warn',
      CASE_TECHNICIAN_WAIT_DAYS: '0',
      CASE_SETTLE_AFTER_FIX_SECONDS: '1',
      WORKER_METRICS_PORT: String(await freePort()),
      TEMPORAL_SDK_METRICS_PORT: String(await freePort()),
      // The one-time codes of approvals on the phone.
      SMTP_URL: mail.url,
    };
    delete env.ANTHROPIC_API_KEY;
    Object.assign(env, {
      TELNYX_API_KEY: telnyx.apiKey,
      TELNYX_PUBLIC_KEY: telnyx.publicKey,
      TELNYX_BASE_URL: telnyx.url,
      TELNYX_MAX_RETRIES: '0',
    });
    [a, b] = await Promise.all([startApi('api-a', dir, env), startApi('api-b', dir, env)]);
    temporal = await connectTemporal({
      address: temporalAddress(),
      namespace: temporalNamespace(),
    });
  }, 120_000);

  afterAll(async () => {
    for (const agent of agents) agent.stop();
    for (const socket of sockets) socket.close();
    await worker?.stop();
    await Promise.all([a?.process.stop(), b?.process.stop()]);
    await temporal?.close();
    if (telnyx) {
      for (const call of telnyx.calls.values()) telnyx.hangup(call.id);
      await telnyx.idle();
      await telnyx.stop();
    }
    webhookRouter?.close();
    await mail?.stop();
    await disconnectStore();
    await postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a case run by a worker linked to A reaches a box and a portal on B', async () => {
    // The worker hears only A: everything for B crosses the bus.
    worker = await restartable('worker', () =>
      startNodeWorker('worker', 'workers/main.ts', { ...a.env }, dir),
    );
    const healthOnA: string[] = [];
    const portalOnA = track(
      connectSocket(`${a.url}/portal`, {
        auth: { token: demo.customer.token },
        transports: ['websocket'],
        forceNew: true,
      }),
    );
    portalOnA.on('device:health', ({ deviceId }: { deviceId: string }) => healthOnA.push(deviceId));
    const updatesOnB: { caseId: string; status: string }[] = [];
    const portalOnB = track(
      connectSocket(`${b.url}/portal`, {
        auth: { token: demo.customer.token },
        transports: ['websocket'],
        forceNew: true,
      }),
    );
    portalOnB.on('case:update', (event: { caseId: string; status: string }) =>
      updatesOnB.push(event),
    );
    await eventually(async () => portalOnA.connected && portalOnB.connected, {
      what: 'both portal sockets to connect',
    });

    const box = startSimulatedAgent({
      apiUrl: b.url,
      token: demo.device.token,
      scenario: 'gateway-unreachable',
      log: () => undefined,
    });
    agents.push(box);
    const commands: DeviceCommand[] = [];
    const told: string[] = [];
    box.socket.on('command', (command: DeviceCommand) => commands.push(command));
    box.socket.on('case:status', ({ status }: { status: string }) => told.push(status));
    // The box came online on B; a portal on A hears it.
    await eventually(async () => healthOnA.includes(demo.device.deviceId), {
      what: 'device:health on A for the box on B',
    });

    const opened = await call(`${b.url}/api/cases`, demo.customer.token, {
      body: { deviceId: demo.device.deviceId, description: 'The internet is down' },
    });
    expect(opened.status).toBe(201);
    const caseId = opened.body.caseId as string;
    const handle = temporal.client.workflow.getHandle<typeof supportCase>(
      opened.body.workflowId as string,
    );
    const waiting = await waitForStatus(handle, 'awaiting_approval', 60_000);
    expect(commands.some((c) => c.kind === 'diagnose' && c.caseId === caseId)).toBe(true);
    // The step is relayed after the workflow's state moved on.
    await eventually(async () => told.includes('awaiting_approval'), {
      what: 'the box on B to hear awaiting_approval',
    });
    await eventually(
      async () => updatesOnB.some((u) => u.caseId === caseId && u.status === 'awaiting_approval'),
      { what: 'the portal on B to hear awaiting_approval' },
    );

    const approved = await call(`${b.url}/api/remediation/approve`, demo.customer.token, {
      body: { sessionId: caseId, actionId: waiting.proposal!.actionId, approved: true },
    });
    expect(approved.status).toBe(200);
    expect((await handle.result()).status).toBe('resolved');
    expect(commands.some((c) => c.kind === 'remediate' && c.caseId === caseId)).toBe(true);
    await eventually(async () => told.at(-1) === 'resolved', { what: 'the box to hear resolved' });
    firstCase = { caseId, told };
  }, 120_000);

  it('a box hears each status change once, whichever instance relays the step', async () => {
    const { caseId, told } = firstCase!;
    // The case's own worker is done: stopped, and its last relayed steps heard, so only this
    // test's steps reach the box (a late 'resolved' would count as a change).
    await worker?.stop();
    await settled(told);
    const [linkA, linkB] = [
      track(internalSocket(a.url, internalToken)),
      track(internalSocket(b.url, internalToken)),
    ];
    await eventually(async () => linkA.connected && linkB.connected, { what: 'links to A and B' });
    // Numbered after the case's own steps, as its workflow numbers them (the audit chain's
    // places): two relays may cross on the bus, and only the newer step may stand.
    let seq = 1000;
    const relay = (through: Socket, status: string, place: number) =>
      through.emit(internalLink.caseStep, {
        caseId,
        status,
        step: 'A step',
        actionType: 'test',
        at: Date.now(),
        seq: place,
      });
    const step = (through: Socket, status: string) => relay(through, status, ++seq);
    const heard = async (count: number, last: string) =>
      eventually(async () => told.length === count && told.at(-1) === last, {
        what: `the box to hear ${last}`,
      });
    const before = told.length;
    // Two workers, each linked to its own instance, take turns with one case's steps.
    step(linkA, 'diagnosing');
    await heard(before + 1, 'diagnosing');
    step(linkB, 'awaiting_approval');
    await heard(before + 2, 'awaiting_approval');
    step(linkA, 'awaiting_approval'); // no change: not told again
    step(linkA, 'diagnosing');
    await heard(before + 3, 'diagnosing');
    expect(told.slice(before)).toEqual(['diagnosing', 'awaiting_approval', 'diagnosing']);
    // A step older than the last told, relayed late through the other instance: dropped,
    // whether it reaches the box's instance before or after the newer one sent after it.
    relay(linkB, 'awaiting_approval', seq - 1);
    step(linkA, 'fixing');
    await heard(before + 4, 'fixing');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(told.slice(before)).toEqual(['diagnosing', 'awaiting_approval', 'diagnosing', 'fixing']);

    // One bus message takes a step to the other instance, for its portals and the box alike.
    const operatorOnB = track(
      connectSocket(`${b.url}/portal`, {
        auth: { token: demo.operator.token },
        transports: ['websocket'],
        forceNew: true,
      }),
    );
    const placesOnB: number[] = [];
    operatorOnB.on('case:update', (event: { seq?: number }) => placesOnB.push(event.seq ?? 0));
    const place = 424_242;
    const bus = new pg.Client({ connectionString: postgres.url('zen_bus') });
    const crossed: string[] = [];
    bus.on('notification', ({ channel, payload }) => {
      if (payload?.includes(`"seq":${place}`)) crossed.push(channel);
    });
    await bus.connect();
    try {
      for (const nsp of ['/', '/portal', '/device', internalLink.namespace]) {
        await bus.query(`LISTEN "socket.io#${nsp}"`);
      }
      await eventually(async () => operatorOnB.connected, { what: "an operator's portal on B" });
      relay(linkA, 'verifying', place);
      await heard(before + 5, 'verifying');
      await eventually(async () => placesOnB.includes(place), {
        what: 'the step to reach the portal on B',
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(crossed).toEqual(['socket.io#/portal']);
    } finally {
      await bus.end();
    }
  });

  /** The balancer's record of one call's webhooks. */
  const routedFor = (callId: string) =>
    webhookRouter.routed.filter((r) => r.callControlId === callId);

  /** The caller's box on B, in a fresh simulated network with a hung router; online when this resolves. */
  let callerAgent: SimulatedAgent | undefined;
  async function startCallerBox(): Promise<void> {
    const status = async () => (await Device.findOne({ deviceId: caller.deviceId }).lean())?.status;
    if (callerAgent) {
      callerAgent.stop();
      agents.splice(agents.indexOf(callerAgent), 1);
      await eventually(async () => (await status()) === 'offline', {
        what: "the caller's old box to be offline",
      });
    }
    callerAgent = startSimulatedAgent({
      apiUrl: b.url,
      token: caller.token,
      scenario: 'gateway-unreachable',
      log: () => undefined,
    });
    agents.push(callerAgent);
    await eventually(async () => callerAgent!.socket.connected && (await status()) === 'online', {
      what: "the caller's box to be online",
    });
  }

  /** The approval on the phone, to the end of the call: code, 1, the outcome, a rating of 5. */
  async function approveOnThePhone(callId: string, mailsBefore: number) {
    await waitToHear(telnyx, callId, 'six digit code', 60_000);
    telnyx.press(callId, await readLatestCode(mail.outbox, caller.email, mailsBefore));
    await waitToHear(telnyx, callId, 'Press 1 to approve');
    telnyx.press(callId, '1');
    await waitToHear(telnyx, callId, 'Your case is resolved', 60_000);
    await waitToHear(telnyx, callId, prompts.askRating);
    telnyx.press(callId, '5');
    await waitToHear(telnyx, callId, prompts.ratingThanks);
    await waitForCallState(telnyx, callId, 'ended');
    await telnyx.idle();
  }

  /** Every webhook of the call was taken, and both instances had some of them. */
  function expectSpreadAndTaken(callId: string) {
    const routed = routedFor(callId);
    expect(routed.length).toBe(telnyx.deliveries.filter((d) => d.callControlId === callId).length);
    expect(routed.filter((r) => r.status !== 200)).toEqual([]);
    expect(new Set(routed.map((r) => r.instance))).toEqual(new Set(['api-a', 'api-b']));
    // Round-robin: the event after the first went to the other instance.
    expect(routed[1]!.instance).not.toBe(routed[0]!.instance);
  }

  it('an inbound call runs to its end while its webhooks alternate between A and B', async () => {
    // The first test's worker, stopped by the second, runs the call's case.
    if (worker) await worker.start();
    else {
      worker = await restartable('worker', () =>
        startNodeWorker('worker', 'workers/main.ts', { ...a.env }, dir),
      );
    }
    await startCallerBox();
    const mailsBefore = mailsTo(mail.outbox, caller.email);
    const callId = await telnyx.placeCall(caller.phone);
    await waitToHear(telnyx, callId, `Hello ${caller.businessName}`);
    await approveOnThePhone(callId, mailsBefore);

    expectSpreadAndTaken(callId);
    const call_ = telnyx.calls.get(callId)!;
    // Each event ran once, on the instance that holds the call.
    expect(call_.commands.filter((c) => c === 'answer')).toHaveLength(1);
    expect(call_.commands.filter((c) => c === 'hangup')).toHaveLength(1);
    expect(
      call_.heard.filter((line) => line.startsWith(`Hello ${caller.businessName}`)),
    ).toHaveLength(1);
    const opened = await Case.findOne({ deviceId: caller.deviceId }).lean();
    expect(opened).toMatchObject({ channel: 'phone', status: 'resolved' });
    const types = (await AuditEntry.find({ caseId: opened!._id }).lean()).map((e) => e.actionType);
    expect(types).toEqual(
      expect.arrayContaining(['call_answered', 'fix_approved', 'case_resolved']),
    );
  }, 180_000);

  it('a call we place runs to its end while its webhooks alternate between A and B', async () => {
    await Customer.updateOne({ _id: caller.id }, { $set: { callOnAgentFault: true } });
    try {
      await startCallerBox();
      const mailsBefore = mailsTo(mail.outbox, caller.email);
      // The box reports its fault on its own, through A: A calls the customer.
      const opened = await call(`${a.url}/api/cases`, caller.token, {
        body: { deviceId: caller.deviceId, description: 'gateway silent' },
      });
      expect(opened.body).toMatchObject({ joined: false });
      const outgoing = await eventually(
        async () =>
          [...telnyx.calls.values()].find(
            (c) => c.direction === 'outgoing' && c.to === caller.phone,
          ),
        { what: 'the call to the customer' },
      );
      await waitToHear(telnyx, outgoing.id, 'Your Zen box has noticed a problem');
      await approveOnThePhone(outgoing.id, mailsBefore);

      expectSpreadAndTaken(outgoing.id);
      expect(outgoing.commands.filter((c) => c === 'hangup')).toHaveLength(1);
      const types = (await AuditEntry.find({ caseId: opened.body.caseId as string }).lean()).map(
        (e) => e.actionType,
      );
      expect(types).toEqual(
        expect.arrayContaining(['call_answered', 'fix_approved', 'case_resolved']),
      );
    } finally {
      await Customer.updateOne({ _id: caller.id }, { $set: { callOnAgentFault: false } });
      await worker?.stop();
    }
  }, 180_000);

  it('a call whose instance died: the other answers its later events, and lives on', async () => {
    // Several boxes and none stands out: the call waits on the keypad for the caller's choice.
    const callId = await telnyx.placeCall(demo.customer.phone);
    await waitToHear(telnyx, callId, 'press 1');
    // The greeting's events delivered too: what comes next is after the kill.
    await telnyx.idle();
    const holderName = routedFor(callId).find((r) => r.eventType === 'call.initiated')!.instance;
    const [holder, survivor] = holderName === 'api-a' ? [a, b] : [b, a];
    await holder.process.kill();
    try {
      const before = routedFor(callId).length;
      telnyx.press(callId, '1');
      telnyx.hangup(callId);
      await telnyx.idle();
      const late = routedFor(callId).slice(before);
      expect(late.map((r) => r.eventType)).toEqual(
        expect.arrayContaining(['call.gather.ended', 'call.hangup']),
      );
      // Taken by the survivor: nobody holds the call now, so it ran there, as an unknown call.
      expect(late.map((r) => [r.instance, r.status])).toEqual(
        late.map(() => [survivor.process.name, 200]),
      );
      const health = await fetch(`${survivor.url}/api/health`);
      await health.arrayBuffer();
      expect(health.status).toBe(200);
      expect(telnyx.calls.get(callId)!.commands).toEqual(['answer', 'speak', 'gather_using_speak']);
    } finally {
      await holder.process.start();
    }
  }, 90_000);

  it('a device revoked through A is dropped from B', async () => {
    const device = track(listeningDevice(b.url, spare[0]!.token));
    await eventually(async () => device.socket.connected, { what: 'the device to connect to B' });
    const dropped = new Promise<string>((resolve) => device.socket.once('disconnect', resolve));
    const revoked = await call(
      `${a.url}/api/devices/${spare[0]!.deviceId}/revoke`,
      demo.operator.token,
      {
        body: {},
      },
    );
    expect(revoked.status).toBe(200);
    expect(await dropped).toBe('io server disconnect');
  });

  it('after PostgreSQL restarts, pushes cross again, portals are told to read again and boxes their case status', async () => {
    const device = track(listeningDevice(b.url, spare[1]!.token));
    const link = track(internalSocket(a.url, internalToken));
    // An operator's portal on each instance: what it was sent while the bus was away is lost.
    const portals = [a, b].map((api) => {
      const socket = track(
        connectSocket(`${api.url}/portal`, {
          auth: { token: demo.operator.token },
          transports: ['websocket'],
          forceNew: true,
        }),
      );
      const heard = { resync: 0, notes: [] as string[] };
      socket.on('live:resync', () => heard.resync++);
      socket.on('case:update', (event: { step: string }) => heard.notes.push(event.step));
      return { name: api.process.name, socket, heard };
    });
    await eventually(
      async () =>
        device.socket.connected && link.connected && portals.every((p) => p.socket.connected),
      { what: 'the device on B, the link to A and both portals' },
    );
    expect(await push(link, spare[1]!.deviceId, diagnose('case-before'))).toEqual({ sent: true });
    // The box's LED shows its case, told through A.
    const ledCase = `case-led-${randomUUID()}`;
    await Case.create({
      _id: ledCase,
      workflowId: `support-case-${spare[1]!.deviceId}`,
      customerId: demo.customer.id,
      deviceId: spare[1]!.deviceId,
      channel: 'portal',
      status: 'fixing',
      step: 'Carrying out the fix',
    });
    const led: string[] = [];
    device.socket.on('case:status', ({ status }: { status: string }) => led.push(status));
    link.emit(internalLink.caseStep, {
      caseId: ledCase,
      status: 'fixing',
      step: 'Carrying out the fix',
      actionType: 'fix_started',
      at: Date.now(),
      seq: 1,
    });
    await eventually(async () => led.includes('fixing'), { what: 'the box to hear its case' });

    // A step whose relay is lost with the bus: only the store has it.
    const restarted = postgres.restart();
    await Case.updateOne({ _id: ledCase }, { $set: { status: 'verifying' } });
    await restarted;
    // Both instances lived through it, listen again, and told their portals so.
    for (const api of [a, b]) {
      await eventually(async () => (await componentsOf(api, demo.operator.token)).bus === 'ok', {
        what: `${api.process.name} to hear the bus again`,
      });
    }
    for (const portal of portals) {
      await eventually(async () => portal.heard.resync > 0, {
        what: `the portal on ${portal.name} to be told to read again`,
      });
    }
    expect(portals.map((p) => p.heard.resync)).toEqual([1, 1]);
    // And the box on B is told its case's status again, as the store has it.
    await eventually(async () => led.at(-1) === 'verifying', {
      what: 'the box to be told its case status again',
    });
    expect(led).toEqual(['fixing', 'verifying']);
    const command = diagnose('case-after');
    await eventually(
      async () => {
        await push(link, spare[1]!.deviceId, command);
        return device.commands.some((c) => c.caseId === 'case-after');
      },
      { what: 'a push from A to reach B after the restart' },
    );
    // A step relayed through A reaches the portal on B again (an operators' note: no box hears it).
    link.emit(internalLink.caseStep, {
      caseId: firstCase!.caseId,
      status: 'resolved',
      step: 'After the restart',
      actionType: 'test',
      at: Date.now(),
      internal: true,
    });
    await eventually(async () => portals[1]!.heard.notes.includes('After the restart'), {
      what: 'a step relayed through A to reach the portal on B',
    });
  }, 90_000);

  it('a killed instance makes a push for a box elsewhere answer within seconds, and no longer once it is gone', async () => {
    const device = track(listeningDevice(a.url, spare[2]!.token));
    const link = track(internalSocket(a.url, internalToken));
    await eventually(async () => device.socket.connected && link.connected, {
      what: 'the device and the link on A',
    });
    await b.process.kill();
    // A box on A: sent, and B is not asked.
    let started = Date.now();
    expect(await push(link, spare[2]!.deviceId, diagnose('case-here'))).toEqual({ sent: true });
    expect(Date.now() - started).toBeLessThan(busTimings.requestTimeoutMs);
    await eventually(async () => device.commands.some((c) => c.caseId === 'case-here'), {
      what: 'the command to reach the box on A',
    });
    // A box on no instance: B is still counted, and A waits for its answer no longer than
    // the request timeout.
    started = Date.now();
    const ack = await push(link, spare[3]!.deviceId, diagnose('case-killed'));
    expect(Date.now() - started).toBeLessThan(4_500);
    expect(ack).toEqual({ error: expect.any(String) });
    // Once B's heartbeat is overdue, A stops waiting for it.
    await eventually(async () => 'sent' in (await push(link, spare[3]!.deviceId, diagnose('x'))), {
      what: 'pushes to answer without B',
      timeoutMs: 20_000,
    });
    expect(await push(link, spare[3]!.deviceId, diagnose('y'))).toEqual({ sent: false });
    await b.process.start();
  }, 60_000);

  it('without the bus, a push from A never reaches a device on B', async () => {
    for (const api of [a, b]) {
      delete api.env.SOCKET_BUS_URL;
      await api.process.stop();
      await api.process.start();
      expect((await componentsOf(api, demo.operator.token)).bus).toBeUndefined();
    }
    const device = track(listeningDevice(b.url, spare[2]!.token));
    const link = track(internalSocket(a.url, internalToken));
    await eventually(async () => device.socket.connected && link.connected, {
      what: 'the device on B and the link to A',
    });
    expect(await push(link, spare[2]!.deviceId, diagnose('case-nobus'))).toEqual({ sent: false });
    await new Promise((r) => setTimeout(r, 500));
    expect(device.commands).toEqual([]);
  }, 90_000);
});

describe("an instance's memory of a box's monitor state", () => {
  it('tells the portal of a new fault after the box reported its recovery elsewhere', () => {
    const box = { deviceId: `pi-bounce-${randomUUID().slice(0, 8)}`, docId: randomUUID() };
    const fault = (since: string) =>
      ({ state: 'fault', failing: ['gateway'], since }) satisfies MonitorState;
    expect(monitorStateChanged(box, fault('2026-12-06T10:00:00.000Z'))).toBe(true);
    expect(monitorStateChanged(box, fault('2026-12-06T10:00:00.000Z'))).toBe(false);
    // Its recovery went to another instance; back here, it fails again the same way.
    expect(monitorStateChanged(box, fault('2026-12-06T10:20:00.000Z'))).toBe(true);
  });
});

/** Resolves once `heard` has not grown for two seconds. */
async function settled(heard: unknown[]): Promise<void> {
  for (let seen = -1; seen !== heard.length;) {
    seen = heard.length;
    await new Promise((r) => setTimeout(r, 2_000));
  }
}
