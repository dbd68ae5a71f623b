import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { AgentConfig } from '../../agent/config';
import { latencyUnderLoad } from '../../agent/linux/checks/latencyUnderLoad';
import { throughput } from '../../agent/linux/checks/throughput';
import { SpeedTestProgress, maxSpeedTestBytes, speedTestPath } from '../../contracts/speedTest';
import { startTestStack, type TestStack } from '../../test/support/stack';
import { speedTestsPerWindow } from './speedTest';

// The cloud's speed-test route on the real API stack (device token, zod-checked
// query, a budget per device), and the agent's throughput and latency checks
// measuring against it over loopback.

let stack: TestStack;
let config: AgentConfig;
const dir = mkdtempSync(path.join(os.tmpdir(), 'zen-speedtest-'));

beforeAll(async () => {
  stack = await startTestStack('speedtest', { worker: false });
  const tokenFile = path.join(dir, 'device-token');
  writeFileSync(tokenFile, stack.demo.device.token, { mode: 0o600 });
  config = AgentConfig.parse({
    apiUrl: stack.apiUrl,
    tokenFile,
    interface: 'lo',
    resolvConfPath: path.join(dir, 'resolv.conf'),
    internetTargets: ['127.0.0.1'],
    throughput: { maxMB: 2, maxSeconds: 2, loadSeconds: 1 },
    network: { manager: 'none', stateDir: dir },
  });
}, 60_000);
afterAll(() => stack?.stop());

const url = (bytes: string | number) => `${stack.apiUrl}${speedTestPath}?bytes=${bytes}`;
const as = (token: string) => ({ authorization: `Bearer ${token}` });

describe('the speed-test route', () => {
  it('admits only devices', async () => {
    expect((await fetch(url(10))).status).toBe(401);
    const customer = await fetch(url(10), { headers: as(stack.demo.customer.token) });
    expect(customer.status).toBe(403);
    const post = await fetch(url(10), {
      method: 'POST',
      headers: as(stack.demo.operator.token),
      body: 'x',
    });
    expect(post.status).toBe(403);
  });

  it('streams exactly the bytes asked for, uncacheable', async () => {
    const res = await fetch(url(200_000), { headers: as(stack.demo.device.token) });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect((await res.arrayBuffer()).byteLength).toBe(200_000);
  });

  it.each(['0', String(maxSpeedTestBytes + 1), '1.5', 'lots', '10&extra=1'])(
    'refuses bytes=%s',
    async (bytes) => {
      const res = await fetch(url(bytes), { headers: as(stack.demo.device.token) });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'BAD_REQUEST' });
    },
  );

  it('takes an upload and reports what arrived, ending with done', async () => {
    const res = await fetch(url(300_000), {
      method: 'POST',
      headers: { ...as(stack.demo.device.token), 'content-type': 'application/octet-stream' },
      body: new Uint8Array(300_000),
    });
    expect(res.status).toBe(200);
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((line) => SpeedTestProgress.parse(JSON.parse(line)));
    expect(lines.at(-1)).toMatchObject({ bytes: 300_000, done: true });
  });

  it('takes no more than it was told: the answer ends at the cap', async () => {
    const target = new URL(url(100_000));
    const text = await new Promise<string>((resolve, reject) => {
      const req = http.request(target, { method: 'POST', headers: as(stack.demo.device.token) });
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(body));
        res.on('error', () => resolve(body));
      });
      req.on('error', reject);
      const chunk = new Uint8Array(64 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < 10_000_000 && !req.destroyed) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    const last = text.trim().split('\n').at(-1)!;
    expect(SpeedTestProgress.parse(JSON.parse(last))).toMatchObject({
      bytes: 100_000,
      done: true,
    });
  });
});

describe("the agent's measurements against the cloud", () => {
  it('throughput: moves the bounded bytes each way and reports the rates', async () => {
    const result = await throughput(config);
    expect(result.error).toBeUndefined();
    expect(result.data.server).toBe(`${stack.apiUrl}${speedTestPath}`);
    expect(result.data.interface).toBe('lo');
    expect(result.data.download).toMatchObject({ bytes: 2_000_000 });
    expect(result.data.upload).toMatchObject({ bytes: 2_000_000 });
    expect(result.data.download!.mbps).toBeGreaterThan(result.data.minDownloadMbps);
    expect(result.ok).toBe(true);
  }, 30_000);

  it('latency_under_load: idle and loaded round trips, and what the load moved', async () => {
    const result = await latencyUnderLoad(config);
    expect(result.error).toBeUndefined();
    expect(result.data.internet).toMatchObject({ address: '127.0.0.1' });
    expect(result.data.internet!.idleMs).toBeLessThan(50);
    expect(result.data.internet!.downloadMs).toBeDefined();
    expect(result.data.internet!.uploadMs).toBeDefined();
    expect(result.data.load.downloadMbps).toBeGreaterThan(0);
    expect(result.data.load.uploadMbps).toBeGreaterThan(0);
    expect(result.ok).toBe(true);
  }, 30_000);

  it('measures nothing when the route leaves by the LTE interface, and says why', async () => {
    const onLte = { ...config, lte: { interface: 'lo' } };
    for (const measure of [throughput, latencyUnderLoad]) {
      const result = await measure(onLte);
      expect(result.ok).toBe(false);
      expect(result.data).toMatchObject({ skipped: 'cloud-link-on-lte', interface: 'lo' });
      expect(result.data).not.toHaveProperty('download');
      expect(result.error).toMatch(/^skipped: .*LTE/);
    }
  });

  it(`refuses a device beyond its budget (at most ${speedTestsPerWindow} per window)`, async () => {
    let status = 0;
    for (let i = 0; i <= speedTestsPerWindow && status !== 429; i++) {
      const res = await fetch(url(10), { headers: as(stack.demo.device.token) });
      status = res.status;
      await res.arrayBuffer();
    }
    expect(status).toBe(429);
    const refused = await fetch(url(10), { headers: as(stack.demo.device.token) });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ code: 'RATE_LIMITED' });
    // The budget is the device's: the throughput check now cannot run either.
    await expect(throughput(config)).rejects.toThrow(/429/);
  }, 30_000);
});
