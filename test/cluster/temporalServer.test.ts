import { Client, Connection } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { baselineCase, type BaselinePlan } from '../../bench/baselineWorkflow';
import { startPostgres, type PostgresServer } from '../../cluster/postgres';
import { startTemporalServer } from '../../cluster/temporalServer';
import { startTemporalUi } from '../../cluster/temporalUi';
import type { TemporalServer } from '../../cluster/types';
import devServer from '../../temporal-config/dev-server.json';
import { freePort, type Service } from '../../temporal-config/process';

// The real Temporal server (not the CLI's dev server) on the cluster's PostgreSQL: a workflow
// runs on it and visibility finds it by a search attribute; it survives a kill -9, a second
// start on the same data and a PostgreSQL restart; the standalone UI serves its pages in front
// of it, set up to decode payloads through the portal with the operator's cookie.

const namespace = devServer.namespace;
const customerId = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
const plan: BaselinePlan = { steps: ['activity', 'timer', 'activity'], timerMs: 50 };

/** The TCP sockets a process listens on, from /proc (IPv4; the server binds 127.0.0.1). */
function listeningSockets(pid: number): { host: string; port: number }[] {
  const inodes = new Set(
    readdirSync(`/proc/${pid}/fd`)
      .map((fd) => {
        try {
          return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        } catch {
          return undefined; // closed since the listing
        }
      })
      .filter(Boolean),
  );
  return ['tcp', 'tcp6'].flatMap((table) =>
    readFileSync(`/proc/${pid}/net/${table}`, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      // st 0A is LISTEN; the tenth column is the socket's inode.
      .filter((cols) => cols[3] === '0A' && inodes.has(cols[9]!))
      .map((cols) => {
        const [hexHost, hexPort] = cols[1]!.split(':') as [string, string];
        const host =
          hexHost.length === 8
            ? (hexHost.match(/../g) ?? [])
                .reverse()
                .map((b) => parseInt(b, 16))
                .join('.')
            : hexHost;
        return { host, port: parseInt(hexPort, 16) };
      }),
  );
}

describe('the real Temporal server on PostgreSQL', () => {
  let dir: string;
  let postgres: PostgresServer;
  let server: TemporalServer;
  let port: number;
  let workerConnection: NativeConnection;
  let worker: Worker;
  let workerRun: Promise<void>;
  let ui: Service | undefined;
  const taskQueue = `cluster-server-${randomUUID()}`;

  const startServer = () =>
    startTemporalServer({
      dir: path.join(dir, 'temporal'),
      postgres,
      port,
      logFile: path.join(dir, 'temporal.log'),
    });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'zen-temporal-server-'));
    // Run as root, PostgreSQL runs as its own user, which must reach its data through here.
    chmodSync(dir, 0o755);
    postgres = await startPostgres({
      dataDir: path.join(dir, 'postgres', 'data'),
      port: await freePort(),
      logFile: path.join(dir, 'postgres.log'),
    });
    port = await freePort();
    server = await startServer();
    workerConnection = await NativeConnection.connect({ address: server.address });
    worker = await Worker.create({
      connection: workerConnection,
      namespace,
      taskQueue,
      workflowsPath: require.resolve('../../bench/baselineWorkflow'),
      activities: { nothing: async () => undefined },
    });
    workerRun = worker.run();
  }, 180_000);

  afterAll(async () => {
    await ui?.stop();
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await workerRun;
    await workerConnection?.close();
    await server?.stop();
    await postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  /** Runs the baseline workflow to its end, tagged with a customer id of its own. */
  async function runWorkflow(): Promise<string> {
    const connection = await Connection.connect({ address: server.address });
    try {
      const client = new Client({ connection, namespace });
      const tag = `customer-${randomUUID()}`;
      await client.workflow.execute(baselineCase, {
        taskQueue,
        workflowId: `cluster-${tag}`,
        args: [plan],
        typedSearchAttributes: [{ key: customerId, value: tag }],
        workflowExecutionTimeout: '60 seconds',
      });
      return tag;
    } finally {
      await connection.close();
    }
  }

  /** Visibility (PostgreSQL) is written after the fact: asks until it knows the workflow. */
  async function listedStatuses(tag: string): Promise<string[]> {
    const connection = await Connection.connect({ address: server.address });
    try {
      const client = new Client({ connection, namespace });
      const deadline = Date.now() + 20_000;
      for (;;) {
        const statuses: string[] = [];
        for await (const run of client.workflow.list({ query: `CustomerId = "${tag}"` })) {
          statuses.push(run.status.name);
        }
        if (statuses.includes('COMPLETED') || Date.now() > deadline) return statuses;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    } finally {
      await connection.close();
    }
  }

  async function secondsUntilItAnswers(): Promise<number> {
    const started = Date.now();
    const connection = await Connection.connect({ address: server.address });
    try {
      for (;;) {
        try {
          await connection.workflowService.countWorkflowExecutions({ namespace });
          return (Date.now() - started) / 1000;
        } catch (err) {
          if (Date.now() - started > 30_000) throw err;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
    } finally {
      await connection.close();
    }
  }

  it('runs a workflow that visibility then finds by its search attribute', async () => {
    const tag = await runWorkflow();
    expect(await listedStatuses(tag)).toEqual(['COMPLETED']);
  }, 60_000);

  it("listens on 127.0.0.1 only, on its own ports: none of Temporal's defaults", () => {
    const kept = JSON.parse(readFileSync(path.join(dir, 'temporal', 'ports.json'), 'utf8')) as {
      grpc: Record<string, number>;
      membership: Record<string, number>;
      frontendHttp: number;
    };
    // The worker service has a gRPC port in the config but serves nothing on it.
    const served = Object.entries(kept.grpc).filter(([service]) => service !== 'worker');
    const ours = [
      ...served.map(([, grpcPort]) => grpcPort),
      ...Object.values(kept.membership),
      kept.frontendHttp,
    ];
    expect(kept.grpc.frontend).toBe(port);
    // PostgreSQL keeps membership ports as smallint.
    for (const membershipPort of Object.values(kept.membership)) {
      expect(membershipPort).toBeLessThanOrEqual(32_767);
    }
    const listening = listeningSockets(server.pid());
    expect(listening.map((s) => s.port).sort()).toEqual(ours.sort());
    expect(new Set(listening.map((s) => s.host))).toEqual(new Set(['127.0.0.1']));
  });

  it('registers the namespace with every Keyword search attribute of dev-server.json', async () => {
    const connection = await Connection.connect({ address: server.address });
    try {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({
        namespace,
      });
      for (const name of Object.keys(devServer.searchAttributes)) {
        expect(customAttributes?.[name]).toBe(2); // KEYWORD
      }
    } finally {
      await connection.close();
    }
  });

  it('comes back after a kill -9, on the same data and address', async () => {
    const before = server.pid();
    await server.kill();
    await server.start();
    expect(server.pid()).not.toBe(before);
    const tag = await runWorkflow();
    expect(await listedStatuses(tag)).toEqual(['COMPLETED']);
  }, 120_000);

  it('starts a second time on the same databases (schema and namespace already there)', async () => {
    await server.stop();
    const started = Date.now();
    server = await startServer();
    // On the ports of the first start: on new ones it spent ~35 s joining its own old
    // membership rows before it served.
    expect(Date.now() - started).toBeLessThan(20_000);
    const tag = await runWorkflow();
    expect(await listedStatuses(tag)).toEqual(['COMPLETED']);
  }, 120_000);

  it('serves again within seconds once PostgreSQL has restarted under it', async () => {
    await postgres.restart();
    // For about a second the server's pool refuses to reconnect (it waits 1 s between tries)
    // and its namespace lookups answer "not found" (the server turns any failure there into
    // that): it recovers by itself, which is what is checked here.
    const back = await secondsUntilItAnswers();
    expect(back).toBeLessThan(15);
    const tag = await runWorkflow();
    expect(await listedStatuses(tag)).toEqual(['COMPLETED']);
  }, 120_000);

  it('serves the Temporal UI, which reads the server and decodes through the portal', async () => {
    const uiPort = await freePort();
    const codecEndpoint = 'http://127.0.0.1:3000/api/codec';
    ui = await startTemporalUi({
      temporalAddress: server.address,
      port: uiPort,
      codecEndpoint,
      logFile: path.join(dir, 'temporal-ui.log'),
      dir: path.join(dir, 'temporal-ui'),
    });
    const url = `http://127.0.0.1:${uiPort}`;
    const page = await fetch(`${url}/namespaces/${namespace}/workflows`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');

    // The settings the UI's pages load: the codec endpoint, with the sign-in cookie sent along.
    const settings = (await (await fetch(`${url}/api/v1/settings`)).json()) as {
      Codec: { Endpoint: string; IncludeCredentials: boolean };
      DefaultNamespace: string;
    };
    expect(settings.Codec).toMatchObject({ Endpoint: codecEndpoint, IncludeCredentials: true });
    expect(settings.DefaultNamespace).toBe(namespace);

    // Through the UI server's API, the workflows this file ran.
    const listed = await fetch(
      `${url}/api/v1/namespaces/${namespace}/workflows?query=${encodeURIComponent(`TaskQueue = "${taskQueue}"`)}`,
    );
    expect(listed.status).toBe(200);
    const { executions } = (await listed.json()) as { executions: unknown[] };
    expect(executions).toHaveLength(4);
  }, 60_000);
});
