import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { createApi } from '../../api/app';
import { loadConfig } from '../../config';
import { createLogger } from '../../observability/logger';
import { Case, Device } from '../../store/models';
import { outboxMessages, readLatestCode } from '../support/mail';
import { call, eventually, startTestStack, type TestStack } from '../support/stack';
import { seedOtherTenant, type OtherTenant } from '../support/tenants';
import { temporalNamespace } from '../support/env';
import { freePorts, npmStart, untilRunning, type Started } from './npmStart';

// npm start's demo mode: simulated boxes the portal may put into a fault, so a newcomer
// sees a case open, a fix proposed and approved, in the portal and by phone.

const root = path.resolve(__dirname, '..', '..');

describe('the demo mode setting', () => {
  it('is off by default and refused in production', () => {
    expect(loadConfig({}).demo.enabled).toBe(false);
    expect(loadConfig({ DEMO_MODE: 'true' }).demo.enabled).toBe(true);
    expect(() => loadConfig({ NODE_ENV: 'production', DEMO_MODE: '1' })).toThrow(
      /DEMO_MODE: the demo site .* is never on in production/,
    );
    expect(() => loadConfig({ DEMO_MODE: 'sometimes' })).toThrow(/DEMO_MODE/);
  });
});

/** One demo box process of npm start's kind, with its control socket. */
function startDemoBox(apiUrl: string, token: string, socketPath: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'scripts/demoBox.ts'], {
    cwd: root,
    env: {
      ...process.env,
      ZEN_API_URL: apiUrl,
      ZEN_DEVICE_TOKEN: token,
      DEMO_CONTROL_SOCKET: socketPath,
    },
    stdio: 'ignore',
  });
}

describe('the demo API route', () => {
  let stack: TestStack;
  let other: OtherTenant;
  let box: ChildProcess;
  let dataDir: string;
  const saved = { DEMO_MODE: process.env.DEMO_MODE, DATA_DIR: process.env.DATA_DIR };

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'zen-demo-route-'));
    // The API reads its demo setting from the environment, as under npm start.
    process.env.DEMO_MODE = 'true';
    process.env.DATA_DIR = dataDir;
    stack = await startTestStack('demoroute');
    other = await seedOtherTenant();
    const socket = path.join(dataDir, 'demo', `${stack.demo.device.deviceId}.sock`);
    box = startDemoBox(stack.apiUrl, stack.demo.device.token, socket);
    await eventually(async () => existsSync(socket), { what: "the demo box's control socket" });
  }, 60_000);

  afterAll(async () => {
    box?.kill('SIGTERM');
    await stack?.stop();
    process.env.DEMO_MODE = saved.DEMO_MODE;
    process.env.DATA_DIR = saved.DATA_DIR;
    if (saved.DEMO_MODE === undefined) delete process.env.DEMO_MODE;
    if (saved.DATA_DIR === undefined) delete process.env.DATA_DIR;
    rmSync(dataDir, { recursive: true, force: true });
  });

  const customer = () => stack.demo.customer.token;
  const setScenario = (deviceId: string, body: unknown, token = customer()) =>
    call(`${stack.apiUrl}/api/demo/boxes/${encodeURIComponent(deviceId)}/scenario`, token, {
      body,
    });

  it("lists the customer's own demo boxes and the faults in plain words", async () => {
    const mine = await call(`${stack.apiUrl}/api/demo`, customer());
    expect(mine.status).toBe(200);
    expect(mine.body.boxes).toEqual([
      { deviceId: stack.demo.device.deviceId, site: 'Main office', running: true },
    ]);
    const titles = mine.body.scenarios.map((s: { title: string }) => s.title);
    expect(titles).toEqual(
      expect.arrayContaining(['Modem hung', 'Router hung', 'DNS server stopped answering']),
    );
    // Plain words: no scenario ids, no check names.
    for (const title of titles) expect(title).not.toMatch(/[_]|-[a-z]/);
    // Another customer has no demo box here, and sees none of this one's.
    const theirs = await call(`${stack.apiUrl}/api/demo`, other.token);
    expect(theirs.body.boxes).toEqual([]);
  });

  it('refuses bad input, and answers for a box of another customer as for one that does not exist', async () => {
    const id = stack.demo.device.deviceId;
    expect(await setScenario(id, { scenario: 'no-such-fault' })).toMatchObject({
      status: 400,
      body: { code: 'INVALID_REQUEST' },
    });
    expect((await setScenario(id, { scenario: 'modem-hung', extra: 1 })).status).toBe(400);
    // A scenario that exists but is not offered in the demo.
    expect((await setScenario(id, { scenario: 'clock-skew' })).status).toBe(400);
    expect((await setScenario('../../etc', { scenario: 'modem-hung' })).status).toBe(400);
    const foreign = await setScenario(id, { scenario: 'modem-hung' }, other.token);
    const missing = await setScenario('pi-nobody', { scenario: 'modem-hung' }, other.token);
    expect(foreign).toEqual(missing);
    expect(foreign.status).toBe(404);
    // The other customer's own box exists but is not a demo box (no control socket).
    expect(
      (await setScenario(other.deviceId, { scenario: 'modem-hung' }, other.token)).status,
    ).toBe(404);
    // Nothing changed on the box, and no case was opened.
    expect(await Case.countDocuments({ deviceId: id })).toBe(0);
    expect(await call(`${stack.apiUrl}/api/demo`, undefined)).toMatchObject({ status: 401 });
  });

  it('puts a running box into a fault: the box reports it, its case opens and proposes a fix', async () => {
    const id = stack.demo.device.deviceId;
    const answer = await setScenario(id, { scenario: 'modem-hung' });
    expect(answer).toMatchObject({
      status: 200,
      body: { deviceId: id, scenario: 'modem-hung', title: 'Modem hung' },
    });
    expect(answer.body.caseId).toEqual(expect.any(String));
    const opened = await Case.findById(answer.body.caseId).lean();
    expect(opened).toMatchObject({ deviceId: id, channel: 'agent' });
    await eventually(
      async () => {
        const res = await call(`${stack.apiUrl}/api/cases/${answer.body.caseId}`, customer());
        return res.body.live?.proposal?.action === 'power_cycle_modem';
      },
      { what: 'the proposed power cycle of the modem', timeoutMs: 30_000 },
    );
    const listed = await call(`${stack.apiUrl}/api/demo`, customer());
    expect(listed.body.boxes[0]).toMatchObject({ fault: 'Modem hung' });
    // The box's heartbeat shows a normal summary, never the simulator's words.
    const device = await Device.findOne({ deviceId: id }).lean();
    expect(device?.health).toMatchObject({ summary: 'ok' });
  }, 60_000);

  it('is absent (404) when demo mode is off', async () => {
    const api = createApi({
      temporal: stack.client,
      namespace: temporalNamespace(),
      logger: createLogger('api', 'silent'),
      demo: loadConfig({ ...process.env, DEMO_MODE: 'false' }).demo,
    });
    await new Promise<void>((resolve) => api.http.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(api.http.address() as AddressInfo).port}`;
    try {
      expect((await call(`${url}/api/demo`, customer())).status).toBe(404);
      const set = await call(
        `${url}/api/demo/boxes/${stack.demo.device.deviceId}/scenario`,
        customer(),
        {
          body: { scenario: 'healthy' },
        },
      );
      expect(set.status).toBe(404);
    } finally {
      await api.close();
    }
  });
});

const CHROMIUM = '/usr/bin/chromium';

describe('npm start in demo mode', () => {
  let dataDir: string;
  let run: Started | undefined;
  let browser: Browser | undefined;
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'zen-demo-start-'));
  });
  afterAll(async () => {
    await browser?.close();
    if (run && run.child.exitCode === null) {
      run.child.kill('SIGTERM');
      await run.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows a newcomer a fault, its case, the fix and its approval by phone within a minute of the banner', async () => {
    const env = { ...(await freePorts()), DATA_DIR: dataDir, TEMPORAL_ADDRESS: '', MONGO_URL: '' };
    run = npmStart(env);
    await untilRunning(run);
    const ready = Date.now();
    const banner = run.output();
    const portal = `http://127.0.0.1:${env.PORTAL_PORT}`;
    expect(banner).toContain('Try it (demo mode)');
    expect(banner).toContain('Demo: make something break');
    expect(banner).toContain('npm run call -- --from +15551234567');
    expect(banner).toMatch(/Front office \(pi-demo-001\), Warehouse \(pi-demo-002\), Back room/);
    const credentials = JSON.parse(
      readFileSync(path.join(dataDir, 'demo-credentials.json'), 'utf8'),
    );
    const email: string = credentials.customer.email;
    const outbox = path.join(dataDir, 'outbox');
    const codesSent = () =>
      existsSync(outbox)
        ? outboxMessages(outbox).filter((m) => m.includes(`To: ${email}`)).length
        : 0;

    // The portal: sign in, give the Front office box a hung modem, follow the link to its case.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    const page = await (await browser.newContext({ baseURL: portal })).newPage();
    const seen = codesSent();
    await page.goto('/login');
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Email me a code' }).click();
    await page.getByLabel('Six-digit code').fill(await readLatestCode(outbox, email, seen));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/dashboard');
    const panel = page.getByTestId('demo-panel');
    await panel.waitFor();
    await panel.getByLabel('Zen box').selectOption({ label: 'Front office' });
    await panel.getByLabel('What goes wrong').selectOption({ label: 'Modem hung' });
    await panel.getByRole('button', { name: 'Make it happen' }).click();
    await panel.getByRole('link', { name: 'See its case' }).click();
    await page.waitForURL('**/cases/*');
    const caseId = page.url().split('/cases/')[1]!;
    const approval = page.getByTestId('approval');
    await approval.waitFor({ timeout: 30_000 });
    await expect(approval.textContent()).resolves.toMatch(/modem/i);

    // The phone: the caller hears the fix and approves it with the emailed code.
    const { controlUrl } = JSON.parse(
      readFileSync(path.join(dataDir, 'telnyx-stand-in.json'), 'utf8'),
    );
    const before = codesSent();
    const placed = await call(`${controlUrl}/control/calls`, undefined, {
      body: { from: credentials.customer.phone },
    });
    const callId = encodeURIComponent(placed.body.callControlId);
    await eventually(
      async () =>
        (await call(`${controlUrl}/control/calls/${callId}`, undefined)).body.gathering === true,
      { what: 'the call to ask for the code', timeoutMs: 30_000 },
    );
    const code = await readLatestCode(outbox, email, before);
    const press = (digits: string) =>
      call(`${controlUrl}/control/calls/${callId}/dtmf`, undefined, { body: { digits } });
    const heard = async () =>
      (
        (await call(`${controlUrl}/control/calls/${callId}`, undefined)).body.heard as string[]
      ).join(' ');
    await press(code);
    await eventually(async () => /Press 1 to approve/.test(await heard()), {
      what: 'the call to offer the approval',
    });
    await press('1');
    // The portal shows the approval and the case resolving, live.
    await page
      .getByTestId('case-status')
      .filter({ hasText: 'Resolved' })
      .waitFor({ timeout: 45_000 });
    // What is wrong and what the fix does, in plain words, before "press 1".
    expect(await heard()).toMatch(
      /Your modem is not passing traffic.*The fix: .*Restart your modem/,
    );
    const doc = await call(
      `http://127.0.0.1:${env.API_PORT}/api/cases/${caseId}`,
      credentials.customer.token,
    );
    expect(doc.body.live.actionsTaken).toContain('power_cycle_modem');
    expect(Date.now() - ready).toBeLessThan(60_000);
  }, 420_000);
});
