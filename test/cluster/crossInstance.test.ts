import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { startSimulatedAgent, type SimulatedAgent } from '../../agent/simulatedAgent';
import { startPostgres, type PostgresServer } from '../../cluster/postgres';
import { startTelnyxStandIn, type TelnyxStandIn } from '../../stand-ins/telnyx';
import { internalLink, type PushCommandAck } from '../../contracts/api';
import type { DeviceCommand } from '../../contracts/device';
import type { MonitorState } from '../../contracts/monitor';
import { monitorStateChanged } from '../../api/monitoring/history';
import { seedDemo, type DemoCredentials } from '../../scripts/seed';
import { connectStore, disconnectStore } from '../../store/connection';
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
import { startNodeWorker } from '../support/processStack';
import { call, eventually } from '../support/stack';

// Two API processes sharing a PostgreSQL bus (api/socketBus.ts), a worker linked to
// instance A only, and the box and the portal connected to instance B: every command,
// case status and live update must cross from A to B. Without the bus they do not.

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

/**
 * The load balancer's part for Telnyx webhooks, as HAProxy does it: `?instance=` names the
 * instance; anything else goes round-robin.
 */
async function startWebhookRouter(instances: () => Record<string, string>): Promise<Server> {
  let turn = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://router');
      const named = url.searchParams.get('instance');
      const all = instances();
      const target = named ? all[named] : Object.values(all)[turn++ % Object.keys(all).length];
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(req.headers)) {
        if (typeof value === 'string' && (key.startsWith('telnyx-') || key === 'content-type')) {
          headers[key] = value;
        }
      }
      fetch(`${target}${url.pathname}`, { method: 'POST', headers, body: Buffer.concat(chunks) })
        .then(async (answer) => res.writeHead(answer.status).end(await answer.text()))
        .catch(() => res.writeHead(502).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
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
  let webhookRouter: Server;
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
    spare = await seedFleet(demo, 3);
    const taskQueue = `cross-${randomUUID().slice(0, 8)}`;
    telnyx = await startTelnyxStandIn();
    webhookRouter = await startWebhookRouter(() => ({ 'api-a': a.url, 'api-b': b.url }));
    const { port: routerPort } = webhookRouter.address() as { port: number };
    // Telnyx's connection posts to the load balancer, which spreads the events.
    telnyx.webhookUrl = `http://127.0.0.1:${routerPort}/api/voice/telnyx/webhook`;
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
    };
    delete env.ANTHROPIC_API_KEY;
    Object.assign(env, {
      TELNYX_API_KEY: telnyx.apiKey,
      TELNYX_PUBLIC_KEY: telnyx.publicKey,
      TELNYX_BASE_URL: telnyx.url,
      TELNYX_MAX_RETRIES: '0',
      TELNYX_WEBHOOK_URL: telnyx.webhookUrl,
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
    const step = (link: Socket, status: string) =>
      link.emit(internalLink.caseStep, {
        caseId,
        status,
        step: 'A step',
        actionType: 'test',
        at: Date.now(),
      });
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
  });

  it("a call's webhooks come back to the instance that answered it", async () => {
    const id = await telnyx.placeCall(demo.customer.phone);
    // The events after the first reach the answering instance, which holds the call's session.
    await eventually(
      async () => telnyx.heard(id).some((line) => line.includes(demo.customer.businessName)),
      { what: 'the caller to be greeted' },
    );
    expect(telnyx.deliveries.filter((d) => d.callControlId === id).length).toBeGreaterThan(1);
    telnyx.hangup(id);
    await telnyx.idle();
  });

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

  it('cross-instance pushes work again after PostgreSQL restarts', async () => {
    const device = track(listeningDevice(b.url, spare[1]!.token));
    const link = track(internalSocket(a.url, internalToken));
    await eventually(async () => device.socket.connected && link.connected, {
      what: 'the device on B and the link to A',
    });
    expect(await push(link, spare[1]!.deviceId, diagnose('case-before'))).toEqual({ sent: true });

    await postgres.restart();
    // Both instances lived through it and listen again.
    for (const api of [a, b]) {
      await eventually(async () => (await componentsOf(api, demo.operator.token)).bus === 'ok', {
        what: `${api.process.name} to hear the bus again`,
      });
    }
    const command = diagnose('case-after');
    await eventually(
      async () => {
        await push(link, spare[1]!.deviceId, command);
        return device.commands.some((c) => c.caseId === 'case-after');
      },
      { what: 'a push from A to reach B after the restart' },
    );
  }, 90_000);

  it('a killed instance makes a push answer within seconds, and no longer once it is gone', async () => {
    const device = track(listeningDevice(a.url, spare[2]!.token));
    const link = track(internalSocket(a.url, internalToken));
    await eventually(async () => device.socket.connected && link.connected, {
      what: 'the device and the link on A',
    });
    await b.process.kill();
    const started = Date.now();
    const ack = await push(link, spare[2]!.deviceId, diagnose('case-killed'));
    // B still counted: A waits for its answer no longer than the request timeout.
    expect(Date.now() - started).toBeLessThan(4_500);
    expect(ack).toEqual({ error: expect.any(String) });
    // The command went out all the same.
    expect(device.commands.map((c) => c.caseId)).toContain('case-killed');
    // Once B's heartbeat is overdue, A stops waiting for it.
    await eventually(
      async () => ('sent' in (await push(link, spare[2]!.deviceId, diagnose('x'))) ? true : false),
      {
        what: 'pushes to answer without B',
        timeoutMs: 20_000,
      },
    );
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
