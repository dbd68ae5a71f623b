import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { toolPath } from '../../temporal-config/tools';
import { call, eventually } from '../support/stack';
import {
  alive,
  connectable,
  descendants,
  freePorts as ports,
  npmStart,
  untilRunning,
} from './npmStart';

// `npm start` itself, as a newcomer runs it, on free ports with its own data dir.

const run = promisify(execFile);

describe('npm start', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'zen-start-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('runs the whole product, logs to .data/logs, stops cleanly on Ctrl-C and on SIGTERM to npm, and keeps the data', async () => {
    const env = { ...(await ports()), DATA_DIR: dataDir, TEMPORAL_ADDRESS: '', MONGO_URL: '' };
    const first = npmStart(env);
    await untilRunning(first);
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
    // The banner's later lines may arrive in a later chunk than its first.
    await eventually(async () => first.output().includes(credentials.customer.token), {
      what: "the demo customer's token in the banner",
    });
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

    // Each server logs to .data/logs/<name>.log; the terminal, after the banner, has none of it.
    const logs = path.join(dataDir, 'logs');
    for (const name of ['api', 'worker', 'portal', 'stand-ins', 'box-front-office']) {
      await eventually(
        async () =>
          existsSync(path.join(logs, `${name}.log`)) &&
          readFileSync(path.join(logs, `${name}.log`), 'utf8').trim().length > 0,
        { what: `lines in ${name}.log` },
      );
    }
    const apiLog = readFileSync(path.join(logs, 'api.log'), 'utf8');
    expect(apiLog).toMatch(/"msg":"request"/);
    expect(apiLog).toContain('"path":"/api/health"');
    await eventually(
      async () => readFileSync(path.join(logs, 'stand-ins.log'), 'utf8').includes('email received'),
      { what: 'the sign-in email in the stand-ins log' },
    );
    const afterBanner = first.output().slice(first.output().indexOf('Press Ctrl-C to stop'));
    expect(afterBanner).not.toMatch(/"msg"|"level"|\/api\/health|"request"/);
    expect(afterBanner.split('\n').filter((line) => line.trim().startsWith('{'))).toEqual([]);

    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('Stopped.');
    for (const port of Object.values(env).filter((v) => /^\d+$/.test(v))) {
      await expect(connectable(Number(port))).resolves.toBe(false);
    }

    // Second start, through npm as a process manager runs it: same tokens, the case is still there.
    const second = npmStart(env, { viaNpm: true });
    await untilRunning(second, 120_000);
    expect(JSON.parse(readFileSync(credentialsFile, 'utf8')).customer.token).toBe(
      credentials.customer.token,
    );
    const cases = await call(`${api}/api/cases`, credentials.customer.token);
    expect(cases.body.cases.map((c: { id: string }) => c.id)).toEqual([opened.body.caseId]);

    // SIGTERM to the npm process alone (not its process group): every child stops.
    const children = descendants(second.child.pid!);
    expect(children.length).toBeGreaterThanOrEqual(10);
    second.child.kill('SIGTERM');
    await second.exited;
    await eventually(async () => children.filter(alive).length === 0, {
      timeoutMs: 30_000,
      what: 'every child of npm start to stop',
    }).catch(() => {
      const left = children
        .filter(alive)
        .map(
          (pid) =>
            `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').slice(0, 120)}`,
        );
      throw new Error(`still running after SIGTERM:\n${left.join('\n')}\n${second.output()}`);
    });
    expect(second.output()).toContain('Stopped.');
    for (const port of Object.values(env).filter((v) => /^\d+$/.test(v))) {
      await expect(connectable(Number(port))).resolves.toBe(false);
    }
  }, 480_000);

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
      await untilRunning(run, 120_000);
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
