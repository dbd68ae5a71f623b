import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSimulatedAgent, type SimulatedAgent } from '../../agent/simulatedAgent';
import { seedClusterDemo, startCluster, type Cluster } from '../../cluster';
import { apiBackend, instanceHeader, parseStates, stickyCookie } from '../../cluster/haproxy';
import type { DemoCredentials } from '../../scripts/seed';
import { disconnectStore } from '../../store/connection';
import { Device } from '../../store/models';
import { startCaseDriver } from '../support/caseDriver';
import { eventually } from '../support/stack';

// The production shape on one machine (cluster/): two API instances and two workers
// behind HAProxy, on PostgreSQL and FerretDB. Everything here goes through HAProxy's
// front, as boxes, portals and the workers do.

const dir = mkdtempSync(path.join(os.tmpdir(), 'zen-cluster-'));
let cluster: Cluster | undefined;
let demo: DemoCredentials;
let agent: SimulatedAgent | undefined;
const deviceId = `pi-cluster-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  cluster = await startCluster({
    dir,
    apis: 2,
    workers: 2,
    env: { CASE_SETTLE_AFTER_FIX_SECONDS: '1', CASE_TECHNICIAN_WAIT_DAYS: '0' },
  });
  demo = await seedClusterDemo(cluster, { deviceId });
}, 240_000);

afterAll(async () => {
  agent?.stop();
  await disconnectStore();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

async function apiStates(): Promise<Record<string, string>> {
  const res = await fetch(`${cluster!.statsUrl};csv`);
  return parseStates(await res.text(), apiBackend);
}

/** Which instance answered a GET through the front, and how. */
async function through(pathAndQuery: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${cluster!.url}${pathAndQuery}`, { headers });
  await res.arrayBuffer();
  return { status: res.status, instance: res.headers.get(instanceHeader), headers: res.headers };
}

async function deviceOnline(): Promise<boolean> {
  return (await Device.findOne({ deviceId }).lean())?.status === 'online';
}

/** The test's one simulated box, connected through the front (started by the first test that needs it). */
async function connectedBox(): Promise<SimulatedAgent> {
  agent ??= startSimulatedAgent({
    apiUrl: cluster!.url,
    token: demo.device.token,
    scenario: 'modem-hung',
    log: () => undefined,
  });
  await eventually(async () => agent!.socket.connected && (await deviceOnline()), {
    timeoutMs: 30_000,
    what: 'the box connected',
  });
  return agent;
}

describe('the cluster', () => {
  it('spreads requests over both API instances', async () => {
    // At once: each instance takes new connections while it holds the fewest (leastconn).
    const answers = await Promise.all(Array.from({ length: 8 }, () => through('/api/health')));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    expect(new Set(answers.map((a) => a.instance))).toEqual(new Set(['api-1', 'api-2']));
  });

  it('keeps a long-polling socket.io session on the instance that made it', async () => {
    const handshake = await through('/socket.io/?EIO=4&transport=polling');
    expect(handshake.status).toBe(200);
    const cookie = handshake.headers.get('set-cookie') ?? '';
    expect(cookie).toContain(`${stickyCookie}=${handshake.instance}`);
    const again = [];
    for (let i = 0; i < 4; i++) {
      again.push((await through('/api/health', { cookie: cookie.split(';')[0]! })).instance);
    }
    expect(again).toEqual(Array(4).fill(handshake.instance));
  });

  it('connects a box over websocket through HAProxy', async () => {
    const box = await connectedBox();
    expect(box.socket.io.engine.transport.name).toBe('websocket');
  });

  it('keeps both instances in the pool while the Temporal server is down', async () => {
    await cluster!.temporal.kill();
    try {
      // Past two checks of each instance (each up to 2 s while Temporal is away, 1 s apart):
      // a pool emptied by "degraded" or by slow checks would show by now.
      await new Promise((r) => setTimeout(r, 7000));
      expect(await apiStates()).toEqual({ 'api-1': 'UP', 'api-2': 'UP' });
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await through('/api/health'));
      // The instances answer "degraded" themselves (HAProxy's own 503 names no instance).
      expect(answers.map((a) => [a.status, a.instance?.startsWith('api-')])).toEqual(
        Array(4).fill([503, true]),
      );
    } finally {
      await cluster!.temporal.start();
    }
    // Each instance asked at its own address, past HAProxy.
    for (const api of cluster!.apis) {
      await eventually(
        async () => {
          const res = await fetch(`${api.url}/api/health`);
          await res.arrayBuffer();
          return res.status === 200;
        },
        { timeoutMs: 30_000, what: `${api.name} healthy again` },
      );
    }
  }, 60_000);

  it('takes a killed API instance out of the pool within seconds; requests still succeed', async () => {
    const [victim] = cluster!.apis;
    const box = await connectedBox();
    expect(await apiStates()).toEqual({ 'api-1': 'UP', 'api-2': 'UP' });
    const killedAt = Date.now();
    await victim!.process.kill();

    // Meanwhile every request through the front is answered, by the instance still alive.
    const answers: { status: number; instance: string | null }[] = [];
    const answer = async () => {
      const { status, instance } = await through('/api/health');
      answers.push({ status, instance });
    };
    let outAfterMs: number | undefined;
    while (Date.now() - killedAt < 10_000) {
      await answer();
      if ((await apiStates())[victim!.name] === 'DOWN') {
        outAfterMs = Date.now() - killedAt;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    console.log(`${victim!.name} left the pool ${outAfterMs} ms after its kill -9`);
    expect(outAfterMs).toBeLessThan(4000);
    for (let i = 0; i < 4; i++) await answer();
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(new Set(answers.map((a) => a.instance))).toEqual(new Set(['api-2']));

    // A box that was on the dead instance comes back through HAProxy to the other.
    await eventually(async () => box.socket.connected && (await deviceOnline()), {
      timeoutMs: 30_000,
      what: 'the box connected again',
    });

    // Started again, it is back in the pool.
    await victim!.process.start();
    await eventually(async () => (await apiStates())[victim!.name] === 'UP', {
      timeoutMs: 10_000,
      what: `${victim!.name} back in the pool`,
    });
  }, 90_000);
  it('opens a case through HAProxy that the box and a worker see through to the end', async () => {
    await connectedBox();
    const driver = await startCaseDriver({
      apiUrl: cluster!.url,
      customerToken: demo.customer.token,
      approve: true,
      sweepMs: 1000,
    });
    try {
      const times = await driver.open(deviceId, 'The internet is down');
      await driver.allClosed(120_000);
      expect(times.outcome).toBe('resolved');
      expect(times.approveReturned).toBeDefined();
    } finally {
      driver.stop();
    }
  }, 150_000);
});
