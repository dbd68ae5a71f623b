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
  return { status: res.status, instance: res.headers.get(instanceHeader), res };
}

async function deviceOnline(): Promise<boolean> {
  return (await Device.findOne({ deviceId }).lean())?.status === 'online';
}

describe('the cluster', () => {
  it('spreads requests over both API instances', async () => {
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await through('/api/health'));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200));
    expect(new Set(answers.map((a) => a.instance))).toEqual(new Set(['api-1', 'api-2']));
  });

  it('keeps a long-polling socket.io session on the instance that made it', async () => {
    const handshake = await through('/socket.io/?EIO=4&transport=polling');
    expect(handshake.status).toBe(200);
    const cookie = handshake.res.headers.get('set-cookie') ?? '';
    expect(cookie).toContain(`${stickyCookie}=${handshake.instance}`);
    const again = [];
    for (let i = 0; i < 4; i++) {
      again.push((await through('/api/health', { cookie: cookie.split(';')[0]! })).instance);
    }
    expect(again).toEqual(Array(4).fill(handshake.instance));
  });

  it('sends ?instance= to the instance it names', async () => {
    const answers = [];
    for (let i = 0; i < 4; i++)
      answers.push((await through('/api/health?instance=api-2')).instance);
    expect(answers).toEqual(Array(4).fill('api-2'));
  });

  it('connects a box over websocket through HAProxy', async () => {
    agent = startSimulatedAgent({
      apiUrl: cluster!.url,
      token: demo.device.token,
      scenario: 'modem-hung',
      log: () => undefined,
    });
    await eventually(deviceOnline, { timeoutMs: 30_000, what: 'the box online' });
    expect(agent.socket.io.engine.transport.name).toBe('websocket');
  });

  it('opens a case through HAProxy that the box and a worker see through to the end', async () => {
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

  it('takes a killed API instance out of the pool within seconds; requests still succeed', async () => {
    const [victim] = cluster!.apis;
    expect(await apiStates()).toEqual({ 'api-1': 'UP', 'api-2': 'UP' });
    const killedAt = Date.now();
    await victim!.process.kill();

    // Meanwhile every request through the front is answered, by the instance still alive.
    const answers: { status: number; instance: string | null }[] = [];
    let outAfterMs: number | undefined;
    while (Date.now() - killedAt < 10_000) {
      answers.push(await through('/api/health'));
      if ((await apiStates())[victim!.name] === 'DOWN') {
        outAfterMs = Date.now() - killedAt;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(outAfterMs).toBeLessThan(4000);
    for (let i = 0; i < 4; i++) answers.push(await through('/api/health'));
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(new Set(answers.map((a) => a.instance))).toEqual(new Set(['api-2']));

    // A box that was on the dead instance comes back through HAProxy to the other.
    await eventually(async () => agent!.socket.connected && (await deviceOnline()), {
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
});
