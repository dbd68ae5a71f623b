import type { Browser, BrowserContext } from 'playwright-core';
import { io as connectSocket } from 'socket.io-client';
import type { SimulatedAgent } from '../../agent/simulatedAgent';
import type { SmtpSink } from '../../stand-ins/smtpSink';
import { Device } from '../../store/models';
import { caseWorkflowId } from '../../workflows/messages';
import { axeViolations, describeViolations } from '../support/axe';
import { connectDevice } from '../support/cases';
import {
  describeInBrowser,
  signInThroughPortal,
  startPortalWorld,
  type PortalWorld,
  type TestPortal,
} from '../support/portal';
import { call, eventually, type TestStack } from '../support/stack';
import { seedOtherTenant, type OtherTenant } from '../support/tenants';

// axe-core (WCAG 2 A and AA, and best practices) over every page of the portal, for anyone,
// customers and operators, at desktop and phone size, with cases at each status a person
// meets: no critical, serious or moderate violation anywhere.

const STEP_MS = 45_000;
const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
];

interface Visit {
  as: BrowserContext;
  url: string;
  name: string;
  /** What shows once the page has its data. */
  ready: string;
}

describeInBrowser('accessibility of every page (axe-core)', () => {
  let stack: TestStack;
  let sink: SmtpSink;
  let portal: TestPortal;
  let browser: Browser;
  let other: OtherTenant;
  let agent: SimulatedAgent | undefined;
  let anyone: BrowserContext;
  let customer: BrowserContext;
  let operator: BrowserContext;

  let world: PortalWorld;

  beforeAll(async () => {
    // An unreachable box's case guides the customer after a second and a half.
    world = await startPortalWorld('axe', { caseSettings: { reconnectGraceMs: 1500 } });
    ({ stack, sink, portal, browser } = world);
    other = await seedOtherTenant();
    anyone = await world.context();
    customer = await world.context(stack.demo.customer.email);
    operator = await world.context(stack.demo.operator.email);
  }, 240_000);

  afterAll(async () => {
    agent?.stop();
    await world?.stop();
  });

  /** Every visit at every size; the violations found, as lines a person can act on. */
  async function audit(visits: Visit[]): Promise<string> {
    const found: string[] = [];
    for (const visit of visits) {
      for (const viewport of VIEWPORTS) {
        const page = await visit.as.newPage();
        await page.setViewportSize(viewport);
        await page.goto(visit.url);
        await page.locator(visit.ready).first().waitFor({ timeout: STEP_MS });
        // Client-rendered pages fill in after their data arrives.
        await page.waitForLoadState('networkidle');
        found.push(
          ...describeViolations(`${visit.name} (${viewport.name})`, await axeViolations(page)),
        );
        await page.close();
      }
    }
    return found.join('\n\n');
  }

  const caseReady = '[data-testid="case-status"], [data-testid="not-found"]';

  async function liveStatus(caseId: string) {
    const res = await call(`${stack.apiUrl}/api/cases/${caseId}`, stack.demo.customer.token);
    return res.body as {
      live?: { status: string; manualStep?: unknown; proposal?: { actionId: string } };
    };
  }

  async function deviceStatus(status: 'online' | 'offline') {
    await eventually(
      async () =>
        (await Device.findOne({ deviceId: stack.demo.device.deviceId }).lean())?.status === status,
      { what: `the demo box to be ${status}` },
    );
  }

  async function openCase(description: string): Promise<string> {
    const res = await call(`${stack.apiUrl}/api/cases`, stack.demo.customer.token, {
      body: { deviceId: stack.demo.device.deviceId, description },
    });
    expect(res.status).toBe(201);
    return res.body.caseId as string;
  }

  it('public pages, sign-in and pages that do not exist', async () => {
    const violations = await audit([
      { as: anyone, url: '/', name: 'status page, anonymous', ready: 'main h1' },
      { as: anyone, url: '/login', name: 'sign-in', ready: 'main h1' },
      { as: anyone, url: '/no-such-page', name: '404, anonymous', ready: 'h1' },
      { as: customer, url: '/no-such-page', name: '404, customer', ready: 'h1' },
      {
        as: customer,
        url: '/cases/no-such-case',
        name: 'no such case',
        ready: 'main [role="alert"], main h1',
      },
      {
        as: operator,
        url: '/',
        name: 'status page, operator',
        ready: '[data-testid="components"]',
      },
    ]);
    expect(violations).toBe('');

    // The check itself finds violations when there are some.
    const probe = await anyone.newPage();
    await probe.goto('/');
    await probe.waitForLoadState('networkidle');
    await probe.evaluate(() =>
      document
        .querySelector('main')!
        .insertAdjacentHTML('beforeend', '<img src="/x.png"><p style="color:#bbb">faint</p>'),
    );
    const seen = await axeViolations(probe);
    expect(seen.map((v) => v.rule).sort()).toEqual(['color-contrast', 'image-alt']);
    await probe.close();
  }, 240_000);

  it('the dashboard, the case lists and a case while the box runs its checks', async () => {
    // A box that is connected but has not answered yet: the case stays at its checks.
    const box = connectSocket(`${stack.apiUrl}/device`, {
      auth: { token: stack.demo.device.token },
      transports: ['websocket'],
    });
    try {
      await deviceStatus('online');
      const caseId = await openCase('Everything is slow');
      await eventually(async () => (await liveStatus(caseId)).live?.status === 'diagnosing', {
        what: 'the case to run its checks',
      });
      const violations = await audit([
        { as: customer, url: '/dashboard', name: 'dashboard', ready: '[data-testid="device"]' },
        {
          as: customer,
          url: '/cases',
          name: 'case list, customer',
          ready: '[data-testid="case-list"]',
        },
        {
          as: customer,
          url: `/cases/${caseId}`,
          name: 'case diagnosing, customer',
          ready: caseReady,
        },
        {
          as: operator,
          url: '/operator',
          name: 'operator queue',
          ready: '[data-testid="case-list"]',
        },
        {
          as: operator,
          url: '/cases',
          name: 'case list, operator',
          ready: '[data-testid="case-list"]',
        },
        {
          as: operator,
          url: '/dashboard',
          name: 'devices, operator',
          ready: '[data-testid="device"]',
        },
        {
          as: operator,
          url: `/cases/${caseId}`,
          name: 'case diagnosing, operator',
          ready: caseReady,
        },
      ]);
      const closed = await call(
        `${stack.apiUrl}/api/cases/${caseId}/close`,
        stack.demo.operator.token,
        {
          body: { reason: 'Checked by phone' },
        },
      );
      expect(closed.status).toBe(202);
      // Over, not only cancelled: the next test's case must be a new one, not join this one.
      await stack.client.workflow.getHandle(caseWorkflowId(stack.demo.device.deviceId)).result();
      expect(violations).toBe('');
    } finally {
      box.close();
    }
  }, 240_000);

  it('a case waiting for approval, then resolved', async () => {
    agent = connectDevice(stack, 'gateway-unreachable');
    await deviceStatus('online');
    const caseId = await openCase('Websites will not load');
    await eventually(async () => (await liveStatus(caseId)).live?.status === 'awaiting_approval', {
      what: 'a fix to wait for approval',
      timeoutMs: STEP_MS,
    });
    const waiting = await audit([
      {
        as: customer,
        url: `/cases/${caseId}`,
        name: 'case awaiting approval',
        ready: '[data-testid="approval"]',
      },
    ]);
    const { live } = await liveStatus(caseId);
    const approved = await call(
      `${stack.apiUrl}/api/remediation/approve`,
      stack.demo.customer.token,
      {
        body: { sessionId: caseId, actionId: live!.proposal!.actionId, approved: true },
      },
    );
    expect(approved.status).toBeLessThan(300);
    await eventually(async () => (await liveStatus(caseId)).live?.status === 'resolved', {
      what: 'the case to resolve',
      timeoutMs: STEP_MS,
    });
    const resolved = await audit([
      {
        as: customer,
        url: `/cases/${caseId}`,
        name: 'case resolved, customer',
        ready: '[data-testid="outcome"]',
      },
      {
        as: operator,
        url: `/cases/${caseId}`,
        name: 'case resolved, operator',
        ready: '[data-testid="outcome"]',
      },
    ]);
    expect([waiting, resolved].filter(Boolean).join('\n\n')).toBe('');
  }, 240_000);

  it('a case that waits for the customer’s step while the box cannot be reached', async () => {
    agent?.stop();
    agent = undefined;
    await deviceStatus('offline');
    const caseId = await openCase('No internet');
    await eventually(async () => Boolean((await liveStatus(caseId)).live?.manualStep), {
      what: 'the customer to be given a step',
      timeoutMs: STEP_MS,
    });
    const violations = await audit([
      {
        as: customer,
        url: `/cases/${caseId}`,
        name: 'case with a manual step',
        ready: '[data-testid="manual-step"]',
      },
      {
        as: customer,
        url: '/dashboard',
        name: 'dashboard, box offline',
        ready: '[data-testid="device"]',
      },
    ]);
    expect(violations).toBe('');
  }, 240_000);

  it('the notification settings, for a customer and for an operator', async () => {
    const violations = await audit([
      {
        as: customer,
        url: '/notifications',
        name: 'notification settings, customer',
        ready: '[data-testid="contact"]',
      },
      {
        as: operator,
        url: '/notifications',
        name: 'notification settings, operator',
        ready: '#customer',
      },
    ]);
    expect(violations).toBe('');
  }, 240_000);

  it("a Zen box's health page, with history and without", async () => {
    // A box that reported a few minutes, one of them failed; the other tenant's box never did.
    const box = connectSocket(`${stack.apiUrl}/device`, {
      auth: { token: stack.demo.device.token },
      transports: ['websocket'],
    });
    try {
      await deviceStatus('online');
      const start = Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000;
      const intervals = [0, 1, 2].map((i) => ({
        seq: i,
        start: new Date(start + i * 60_000).toISOString().replace('.000Z', 'Z'),
        seconds: 60,
        internet: i === 1 ? { sent: 3, lost: 3 } : { sent: 3, lost: 0, p50Ms: 20, p95Ms: 30 },
        failed: i === 1 ? ['internet'] : [],
      }));
      await box.timeout(10_000).emitWithAck('heartbeat', {
        monitor: {
          state: { state: 'healthy', failing: [], since: intervals[2]!.start },
          intervals,
        },
      });
      const violations = await audit([
        {
          as: customer,
          url: `/devices/${stack.demo.device.deviceId}`,
          name: 'box health, customer',
          ready: '[data-testid="uptime-bar"]',
        },
        {
          as: operator,
          url: `/devices/${other.deviceId}`,
          name: 'box health without history, operator',
          ready: '[data-testid="no-history"]',
        },
      ]);
      expect(violations).toBe('');
    } finally {
      box.close();
    }
  }, 240_000);

  it('an escalated case, for the operator and for its customer', async () => {
    const bakery = await browser.newContext({ baseURL: portal.url });
    try {
      const page = await bakery.newPage();
      await signInThroughPortal(page, sink, other.email);
      await page.waitForURL('**/dashboard');
      await page.close();
      const violations = await audit([
        {
          as: operator,
          url: `/cases/${other.caseId}`,
          name: 'case escalated, operator',
          ready: '[data-testid="outcome"]',
        },
        {
          as: bakery,
          url: `/cases/${other.caseId}`,
          name: 'case escalated, customer',
          ready: '[data-testid="outcome"]',
        },
        {
          as: bakery,
          url: '/dashboard',
          name: 'dashboard, box never connected',
          ready: '[data-testid="device"]',
        },
      ]);
      expect(violations).toBe('');
    } finally {
      await bakery.close();
    }
  });
});
