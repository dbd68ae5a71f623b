import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { namespace } from '../temporal-config/dev-servers';
import { spawnService, waitUntilReady, type Service } from '../temporal-config/process';
import { assertToolsBuilt, toolPath } from '../temporal-config/tools';

// The standalone Temporal UI server (github.com/temporalio/ui-server, the same UI the CLI's dev
// server embeds) in front of the cluster's Temporal server, for operators to read cases.

export interface TemporalUiOptions {
  /** host:port of the Temporal frontend. */
  temporalAddress: string;
  port: number;
  /** The portal's codec endpoint (README "Temporal payloads are encrypted"). */
  codecEndpoint: string;
  logFile: string;
  /** Its config goes here. */
  dir: string;
}

const environment = 'cluster';

export function uiConfig(opts: TemporalUiOptions) {
  return {
    temporalGrpcAddress: opts.temporalAddress,
    host: '127.0.0.1',
    port: opts.port,
    enableUi: true,
    defaultNamespace: namespace,
    // Payloads are encrypted: the UI decodes them through the portal, sending the operator's
    // portal sign-in cookie along, so nobody has to tick "include credentials" by hand.
    codec: { endpoint: opts.codecEndpoint, includeCredentials: true },
    // Served over plain HTTP on this machine (as the dev server's UI is): a Secure CSRF
    // cookie would never come back, and every action button would fail.
    cors: { cookieInsecure: true },
    // One line per request otherwise.
    hideLogs: true,
  };
}

export async function startTemporalUi(opts: TemporalUiOptions): Promise<Service> {
  assertToolsBuilt(['temporal-ui']);
  const root = path.resolve(opts.dir);
  const configDir = path.join(root, 'config');
  mkdirSync(configDir, { recursive: true });
  // JSON is YAML: the UI server's loader reads it as it is.
  writeFileSync(
    path.join(configDir, `${environment}.yaml`),
    JSON.stringify(uiConfig(opts), null, 2),
  );
  const args = ['--root', root, '--config', 'config', '--env', environment, 'start'];
  const service = spawnService('temporal-ui', toolPath('temporal-ui'), args, {
    logFile: opts.logFile,
  });
  const url = `http://127.0.0.1:${opts.port}`;
  await waitUntilReady(
    service,
    async () => {
      const response = await fetch(`${url}/healthz`);
      if (!response.ok) throw new Error(`health answered ${response.status}`);
    },
    { logFile: opts.logFile, timeoutMs: 30_000 },
  );
  return service;
}
