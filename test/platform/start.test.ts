import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../temporal-config/process';
import { toolPath } from '../../temporal-config/tools';
import { call, eventually } from '../support/stack';

// `npm start` itself, as a newcomer runs it, on free ports with its own data dir.

const root = path.resolve(__dirname, '..', '..');
const run = promisify(execFile);

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function npmStart(env: NodeJS.ProcessEnv): Started {
  const child = spawn(process.execPath, [path.join(root, 'scripts', 'start.mjs')], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, output: () => output, exited };
}

async function ports() {
  return {
    API_PORT: String(await freePort()),
    PORTAL_PORT: String(await freePort()),
    TEMPORAL_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    MONGO_PORT: String(await freePort()),
    WORKER_METRICS_PORT: String(await freePort()),
    TEMPORAL_SDK_METRICS_PORT: String(await freePort()),
  };
}

describe('npm start', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'zen-start-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('runs the whole product, stops cleanly on Ctrl-C and keeps the data', async () => {
    const env = { ...(await ports()), DATA_DIR: dataDir, TEMPORAL_ADDRESS: '', MONGO_URL: '' };
    const first = npmStart(env);
    await eventually(async () => first.output().includes('is running'), {
      timeoutMs: 240_000,
      what: 'npm start to be ready',
    }).catch((err: Error) => {
      throw new Error(`${err.message}\n${first.output()}`);
    });
    const out = first.output();
    const api = `http://127.0.0.1:${env.API_PORT}`;
    const portal = `http://127.0.0.1:${env.PORTAL_PORT}`;
    for (const url of [api, portal, `http://127.0.0.1:${env.TEMPORAL_UI_PORT}`]) {
      expect(out).toContain(url);
    }

    expect(await call(`${api}/api/health`, undefined)).toEqual({
      status: 200,
      body: { status: 'ok' },
    });
    // The portal serves its page and proxies the API.
    expect((await call(`${portal}/api/health`, undefined)).body.status).toBe('ok');
    expect(await (await fetch(portal)).text()).toContain('Zen &amp; Zen Network Support');
    // Both servers serve Prometheus metrics.
    expect(await (await fetch(`${api}/metrics`)).text()).toContain('zen_http_request_duration');
    await eventually(
      async () => {
        const res = await fetch(`http://127.0.0.1:${env.WORKER_METRICS_PORT}/metrics`);
        return (await res.text()).includes('temporal_');
      },
      { what: "the worker's metrics with the SDK's" },
    );
    // The Temporal UI is up.
    expect((await fetch(`http://127.0.0.1:${env.TEMPORAL_UI_PORT}/`)).status).toBe(200);

    const credentialsFile = path.join(dataDir, 'demo-credentials.json');
    const credentials = JSON.parse(readFileSync(credentialsFile, 'utf8'));
    expect(out).toContain(credentials.customer.token);
    expect(statSync(credentialsFile).mode & 0o777).toBe(0o600);

    // The simulated agent is connected as the demo device; a case opens for it.
    const opened = await call(`${api}/api/cases`, credentials.customer.token, {
      body: { deviceId: credentials.device.deviceId, description: 'printer offline' },
    });
    expect(opened.status).toBe(201);
    await eventually(
      async () =>
        (await call(`${api}/api/cases`, credentials.customer.token)).body.cases.length === 1,
      { what: 'the case document' },
    );
    // Operators find it with the Temporal CLI, on the support-cases task queue.
    const listed = await run(toolPath('temporal'), [
      ...['workflow', 'list', '--address', `127.0.0.1:${env.TEMPORAL_PORT}`, '--namespace', 'zen'],
      ...['--query', `CustomerId="${credentials.customer.id}"`, '--output', 'json'],
    ]);
    expect(JSON.parse(listed.stdout)[0]).toMatchObject({
      execution: { workflowId: opened.body.workflowId },
      taskQueue: 'support-cases',
    });

    // Sign-in codes land in the local SMTP sink's outbox.
    await call(`${api}/api/auth/login`, undefined, { body: { email: credentials.customer.email } });
    await eventually(
      async () =>
        existsSync(path.join(dataDir, 'outbox')) &&
        readdirSync(path.join(dataDir, 'outbox')).some((f) => f.endsWith('.eml')),
      { what: 'the sign-in email in .data/outbox' },
    );

    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('Stopped.');
    for (const port of Object.values(env).filter((v) => /^\d+$/.test(v))) {
      await expect(connectable(Number(port))).resolves.toBe(false);
    }

    // Second start: same tokens, the case is still there.
    const second = npmStart(env);
    await eventually(async () => second.output().includes('is running'), {
      timeoutMs: 120_000,
      what: 'the second start',
    });
    expect(JSON.parse(readFileSync(credentialsFile, 'utf8')).customer.token).toBe(
      credentials.customer.token,
    );
    const cases = await call(`${api}/api/cases`, credentials.customer.token);
    expect(cases.body.cases.map((c: { id: string }) => c.id)).toEqual([opened.body.caseId]);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  }, 420_000);

  it('names the port that is already in use', async () => {
    const env = { ...(await ports()), DATA_DIR: dataDir, TEMPORAL_ADDRESS: '', MONGO_URL: '' };
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(Number(env.PORTAL_PORT), '127.0.0.1', r));
    try {
      const run = npmStart(env);
      expect(await run.exited).toBe(1);
      expect(run.output()).toContain(
        `Port ${env.PORTAL_PORT} is already in use (PORTAL_PORT). Stop what uses it, or set PORTAL_PORT to a free port.`,
      );
    } finally {
      blocker.close();
    }
  }, 60_000);

  it('uses an existing Temporal and MongoDB instead of starting its own', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'zen-start-ext-'));
    const env = {
      ...(await ports()),
      DATA_DIR: dir,
      TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS!,
      MONGO_URL: `${process.env.MONGO_TEST_SERVER}/start_external`,
    };
    const run = npmStart(env);
    try {
      await eventually(async () => run.output().includes('is running'), {
        timeoutMs: 120_000,
        what: 'npm start with external servers',
      });
      expect(run.output()).toContain(`Temporal        ${env.TEMPORAL_ADDRESS}`);
      // Nothing of ours listens on the local server ports.
      await expect(connectable(Number(env.TEMPORAL_PORT))).resolves.toBe(false);
      await expect(connectable(Number(env.MONGO_PORT))).resolves.toBe(false);
      expect(existsSync(path.join(dir, 'temporal'))).toBe(false);
    } finally {
      run.child.kill('SIGINT');
      await run.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

function connectable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
