import { spawn } from 'node:child_process';
import { ensurePortalBuilt, portalServerEntry } from '../../scripts/portalBuild';
import { freePort } from '../../temporal-config/process';
import { eventually } from './stack';

// The built portal (production Nuxt server) in front of a test API, as `npm start` runs it.

export interface TestPortal {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

export async function startPortal(apiUrl: string, temporalUiUrl: string): Promise<TestPortal> {
  // A no-op when the build is current (npm test builds it before jest starts).
  await ensurePortalBuilt(() => undefined);
  const port = await freePort();
  const child = spawn(process.execPath, [portalServerEntry], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      NUXT_API_URL: apiUrl,
      NUXT_PUBLIC_TEMPORAL_UI_URL: temporalUiUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => (await fetch(url).catch(() => undefined))?.ok, {
    timeoutMs: 30_000,
    what: 'the portal to serve its first page',
  }).catch((err: Error) => {
    child.kill();
    throw new Error(`${err.message}\n${output}`);
  });
  return {
    url,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
