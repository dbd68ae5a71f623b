import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { ensureSearchAttributes, namespace } from '../temporal-config/dev-servers';
import { restartable, spawnService, waitUntilReady } from '../temporal-config/process';
import { assertToolsBuilt, toolPath } from '../temporal-config/tools';
import { loadConfig } from '../config';
import type { TemporalServer, TemporalServerOptions } from './types';
import { prepareTemporalDatabases } from './temporalSchema';
import { temporalEnvironment, temporalPorts, writeServerConfig } from './temporalServerConfig';

// The real Temporal server (go.temporal.io/server, built by temporal-config/tools.ts) on the
// cluster's PostgreSQL: frontend, history, matching and worker services in one process. It
// stands where a Temporal cluster or Temporal Cloud stands in production.

export async function startTemporalServer(opts: TemporalServerOptions): Promise<TemporalServer> {
  assertToolsBuilt(['temporal-server', 'temporal-sql-tool']);
  await prepareTemporalDatabases(opts.postgres);
  const ports = await temporalPorts(opts.dir, opts.port);
  const root = writeServerConfig(opts.dir, opts.postgres, ports);
  const address = `127.0.0.1:${opts.port}`;

  const launch = async () => {
    const args = ['--root', root, '--config', 'config', '--env', temporalEnvironment];
    args.push('--allow-no-auth', 'start');
    const service = spawnService('temporal-server', toolPath('temporal-server'), args, {
      logFile: opts.logFile,
    });
    // The system namespace is made before the services start: once the frontend reads it
    // back, persistence and the frontend both answer.
    await waitUntilReady(service, () => describeNamespace(address, 'temporal-system'), {
      logFile: opts.logFile,
      timeoutMs: 90_000,
    });
    return service;
  };
  const server = await restartable('temporal-server', launch);
  try {
    await ensureNamespace(address, loadConfig().retention.closedCaseDays);
    await retryFor(30_000, () => ensureSearchAttributes(address));
  } catch (err) {
    await server.stop();
    throw err;
  }
  return { ...server, address };
}

async function describeNamespace(address: string, name: string) {
  const connection = await Connection.connect({ address, connectTimeout: 1000 });
  try {
    return await connection.workflowService.describeNamespace({ namespace: name });
  } finally {
    await connection.close();
  }
}

/**
 * Registers the project's namespace unless it exists. The retention is the closed cases' own;
 * the worker keeps it in line with the config afterwards (workers/namespaceRetention.ts).
 */
async function ensureNamespace(address: string, retentionDays: number): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs(retentionDays * 24 * 3600 * 1000),
    });
  } catch (err) {
    // gRPC ALREADY_EXISTS: a second start on the same data.
    if ((err as { code?: number }).code !== 6) throw err;
  } finally {
    await connection.close();
  }
}

/** A new namespace reaches the frontend's cache within seconds; until then it is "not found". */
async function retryFor(ms: number, attempt: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
