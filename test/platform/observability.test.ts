import { Writable } from 'node:stream';
import pino from 'pino';
import { startSimulatedAgent, type SimulatedAgent } from '../../agent/simulatedAgent';
import { approve, openDemoCase, waitForStatus } from '../support/cases';
import { call, eventually, startTestStack, type TestStack } from '../support/stack';
import { killProcess, startWorkerProcess, type WorkerProcess } from '../support/workerProcess';

// Logs, metrics and the HTTP hardening, read from real processes: the API in
// this process (its logger captured), the worker as a child process.

/** Parses JSON log lines, skipping anything else a process printed. */
function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The value of one Prometheus sample, e.g. `zen_cases_closed_total{outcome="resolved"}`. */
function sample(metrics: string, series: string): number | undefined {
  const line = metrics.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : undefined;
}

describe('observability across API and worker', () => {
  let stack: TestStack;
  let worker: WorkerProcess;
  let device: SimulatedAgent;
  let apiLog = '';
  const agentLines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        apiLog += chunk.toString();
        done();
      },
    });
    stack = await startTestStack('observe', {
      worker: false,
      api: { logger: pino({ level: 'info', base: { service: 'api' } }, sink) },
    });
    worker = await startWorkerProcess(stack);
    await worker.ready;
    device = startSimulatedAgent({
      apiUrl: stack.apiUrl,
      token: stack.demo.device.token,
      scenario: 'gateway-unreachable',
      log: (msg, fields) => agentLines.push({ msg, ...fields }),
    });
  });
  afterAll(async () => {
    device?.stop();
    if (worker?.child.exitCode === null) await killProcess(worker.child);
    await stack?.stop();
  });

  it('counts a resolved case, its approval wait and device round trips, and logs it by case id', async () => {
    const { caseId, handle } = await openDemoCase(stack);
    const waiting = await waitForStatus(handle, 'awaiting_approval', 60_000);
    expect((await approve(stack, caseId, waiting.proposal!.actionId)).status).toBe(200);
    await waitForStatus(handle, 'resolved', 60_000);

    const workerMetrics = await eventually(
      async () => {
        const text = await (await fetch(worker.metricsUrl)).text();
        const closed = sample(text, 'zen_cases_closed_total{outcome="resolved"}') === 1;
        // The workflow completes a moment after its closing record.
        return closed && /^temporal_workflow_completed\{/m.test(text) ? text : undefined;
      },
      { what: "the resolved case in the worker metrics, ours and the SDK's" },
    );
    // Opened with the customer's API token: the API channel.
    expect(sample(workerMetrics, 'zen_cases_opened_total{channel="api"}')).toBe(1);
    expect(sample(workerMetrics, 'zen_case_duration_seconds_count{outcome="resolved"}')).toBe(1);
    expect(sample(workerMetrics, 'zen_approval_wait_seconds_count{decision="approved"}')).toBe(1);
    expect(sample(workerMetrics, 'zen_process_resident_memory_bytes')).toBeGreaterThan(0);
    // The Temporal SDK's own metrics ride along on the same scrape.
    expect(workerMetrics).toMatch(/^temporal_workflow_completed\{/m);
    expect(workerMetrics).toMatch(/^temporal_activity_execution_latency/m);

    const apiMetrics = await (await fetch(`${stack.apiUrl}/metrics`)).text();
    // Diagnose, fix and verify: at least three commands answered by the device.
    expect(
      sample(apiMetrics, 'zen_device_command_seconds_count{kind="diagnose",ok="true"}'),
    ).toBeGreaterThanOrEqual(2);
    expect(sample(apiMetrics, 'zen_device_command_seconds_count{kind="remediate",ok="true"}')).toBe(
      1,
    );
    expect(
      sample(
        apiMetrics,
        'zen_http_request_duration_seconds_count{method="POST",route="/api/remediation/approve",status="200"}',
      ),
    ).toBe(1);
    // Route patterns, not paths: no series per case.
    expect(apiMetrics).not.toContain(caseId);

    // Correlation: the worker's lines about the case carry its id and workflow id,
    // and the API's request lines about it carry the same case id.
    const workflowId = `support-case-${stack.demo.device.deviceId}`;
    const workerLines = jsonLines(worker.output()).filter((l) => l.caseId === caseId);
    expect(workerLines.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['case opened', 'case step']),
    );
    expect(workerLines.every((l) => l.workflowId === workflowId && l.service === 'worker')).toBe(
      true,
    );
    const apiLines = jsonLines(apiLog).filter((l) => l.caseId === caseId);
    expect(apiLines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ route: '/api/cases', status: 201, workflowId }),
        expect.objectContaining({ route: '/api/remediation/approve', status: 200 }),
      ]),
    );
    // The Pi's lines about the case's commands carry the same case id.
    expect(agentLines.filter((l) => l.caseId === caseId).map((l) => l.kind)).toEqual(
      expect.arrayContaining(['diagnose', 'remediate']),
    );
    // Tokens never reach the logs.
    expect(apiLog).not.toContain(stack.demo.customer.token);
    expect(worker.output()).not.toContain(stack.internalToken);
  }, 120_000);
});

describe('HTTP hardening', () => {
  let stack: TestStack;
  const allowed = 'https://portal.zen-support.example';

  beforeAll(async () => {
    stack = await startTestStack('harden', {
      worker: false,
      api: {
        security: {
          corsOrigins: [allowed],
          trustProxy: 'loopback',
          rateLimits: { signInPerMinute: 3, webhookPerMinute: 5, devicePerMinute: 4 },
          metricsToken: 'scrape-secret-123',
        },
      },
    });
  });
  afterAll(() => stack?.stop());

  it('sends the security headers', async () => {
    const res = await fetch(`${stack.apiUrl}/api/health`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('strict-transport-security')).toContain('max-age=');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('x-request-id')).toMatch(/^[\w-]{8,}$/);
  });

  it('allows cross-origin calls only from the allowlist', async () => {
    const preflight = (origin: string) =>
      fetch(`${stack.apiUrl}/api/cases`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
    const ok = await preflight(allowed);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');

    const stranger = await preflight('https://evil.example');
    expect(stranger.status).toBe(403);
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    const simple = await fetch(`${stack.apiUrl}/api/health`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('limits sign-in attempts per address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await call(`${stack.apiUrl}/api/auth/login`, undefined, {
        body: { email: `nobody${i}@example.com` },
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([202, 202, 202, 429, 429]);
  });

  it('limits refused webhooks per address, and only those', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await fetch(`${stack.apiUrl}/api/voice/telnyx/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"data":{}}',
      });
      statuses.push(res.status);
    }
    // Voice is not configured in this stack, so each is refused: five count, then 429.
    expect(statuses).toEqual([503, 503, 503, 503, 503, 429, 429]);
  });

  it('limits each device on its own budget', async () => {
    const register = (token: string) =>
      call(`${stack.apiUrl}/api/device/register`, token, {
        body: { deviceId: stack.demo.device.deviceId, serialNumber: 'ZEN-1' },
      });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await register(stack.demo.device.token)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    // Another token (here: a stranger's) is counted apart, and still refused on its merits.
    expect((await register('zd_not-a-real-device-token')).status).toBe(401);
  });

  it('serves metrics only to the scraper when a metrics token is set', async () => {
    expect((await fetch(`${stack.apiUrl}/metrics`)).status).toBe(401);
    const res = await fetch(`${stack.apiUrl}/metrics`, {
      headers: { authorization: 'Bearer scrape-secret-123' },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('zen_http_request_duration_seconds_bucket');
  });

  it('refuses a JSON body over the limit without losing the server', async () => {
    const res = await fetch(`${stack.apiUrl}/api/cases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ deviceId: 'x', description: 'x'.repeat(300_000) }),
    });
    expect(res.status).toBe(413);
    expect((await fetch(`${stack.apiUrl}/api/health`)).status).toBe(200);
  });
});
