import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { portalServerEntry } from '../scripts/portalBuild';
import { spawnService, waitUntilReady, type Service } from '../temporal-config/process';
import { workerNodeArgs } from '../workers/nodeFlags';

// The product's own processes, each a node process of its own: an API instance
// (api/main.ts), a worker (workers/main.ts), the built portal. The cluster runs
// several of each; the test stacks (test/support/processStack.ts) one.

const root = path.resolve(__dirname, '..');

/** Lines a process prints go to its log file. */
function logLines(file: string): (line: string) => void {
  const stream = createWriteStream(file, { flags: 'a' });
  return (line) => stream.write(`${line}\n`);
}

async function healthy(url: string): Promise<void> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
}

/** An API instance on `port` (its env names the port), ready once /api/health says ok. */
export async function startApiProcess(
  name: string,
  port: number,
  env: NodeJS.ProcessEnv,
  dir: string,
): Promise<Service> {
  const logFile = path.join(dir, `${name}.log`);
  const service = spawnService(name, process.execPath, ['--import', 'tsx', 'api/main.ts'], {
    cwd: root,
    env: { ...env, API_PORT: String(port) },
    echo: logLines(logFile),
  });
  await waitUntilReady(service, () => healthy(`http://127.0.0.1:${port}/api/health`), {
    logFile,
  });
  return service;
}

/** A worker process, ready once it logs "worker polling" (which it does at any level). */
export async function startNodeWorker(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  dir: string,
): Promise<Service> {
  const file = path.join(dir, `${name}.log`);
  const echo = logLines(file);
  let polling = false;
  const service = spawnService(name, process.execPath, workerNodeArgs(entry), {
    cwd: root,
    env,
    echo: (line) => {
      if (line.includes('worker polling')) polling = true;
      echo(line);
    },
  });
  await waitUntilReady(
    service,
    async () => {
      if (!polling) throw new Error('not polling yet');
    },
    { timeoutMs: 120_000, logFile: file },
  );
  return service;
}

/** The built portal (scripts/portalBuild.ts) on `port`, talking to the API at apiUrl. */
export async function startPortalProcess(
  port: number,
  apiUrl: string,
  env: NodeJS.ProcessEnv,
  dir: string,
): Promise<Service> {
  const logFile = path.join(dir, 'portal.log');
  const service = spawnService('portal', process.execPath, [portalServerEntry], {
    cwd: root,
    env: { ...env, PORT: String(port), HOST: '127.0.0.1', NUXT_API_URL: apiUrl },
    logFile,
  });
  await waitUntilReady(service, () => healthy(`http://127.0.0.1:${port}/`), { logFile });
  return service;
}
