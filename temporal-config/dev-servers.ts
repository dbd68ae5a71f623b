import { Connection } from '@temporalio/client';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import mongoose from 'mongoose';
import devServer from './dev-server.json';
import dynamicConfig from './dynamic-config.json';
import { spawnService, tcpProbe, waitUntilReady, type Service } from './process';
import { toolPath } from './tools';
import { loadConfig } from '../config';

// Starts the local Temporal dev server and FerretDB built by ./tools.ts.
// `npm start` and the test suite's global setup both come through here.

export const namespace = devServer.namespace;

export interface TemporalOptions {
  port: number;
  /** Port for the embedded Web UI; null runs headless. */
  uiPort: number | null;
  dbFile: string;
  logFile: string;
  /** Where the embedded UI asks for payloads to be decoded (default: from the environment). */
  codecEndpoint?: string;
}

export function temporalArgs(opts: TemporalOptions): string[] {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port)];
  args.push('--db-filename', opts.dbFile, '--namespace', namespace);
  args.push('--log-format', 'json', '--log-level', 'warn');
  // SQLite's defaults (a rollback journal, a disk flush per commit) make every workflow
  // task wait for the disk. A write-ahead log flushed at checkpoints still survives the
  // process being killed; only a power cut may lose the last commits, of a dev server.
  args.push('--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal');
  if (opts.uiPort === null) args.push('--headless');
  else {
    args.push('--ui-ip', '127.0.0.1', '--ui-port', String(opts.uiPort));
    // Payloads are encrypted (./codec): the UI shows them through the portal's codec endpoint.
    const codecEndpoint = opts.codecEndpoint ?? loadConfig().temporal.codecEndpoint;
    args.push('--ui-codec-endpoint', codecEndpoint);
  }
  for (const [name, type] of Object.entries(devServer.searchAttributes)) {
    args.push('--search-attribute', `${name}=${type}`);
  }
  for (const [key, value] of Object.entries(dynamicConfig)) {
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  }
  return args;
}

export async function startTemporal(opts: TemporalOptions): Promise<Service> {
  mkdirSync(path.dirname(opts.dbFile), { recursive: true });
  const service = spawnService('temporal', toolPath('temporal'), temporalArgs(opts), {
    logFile: opts.logFile,
  });
  const address = `127.0.0.1:${opts.port}`;
  await waitUntilReady(
    service,
    async () => {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
      } finally {
        await connection.close();
      }
    },
    { logFile: opts.logFile, timeoutMs: 90_000 },
  );
  await ensureSearchAttributes(address);
  return service;
}

/**
 * `--search-attribute` is ignored when the SQLite file already holds the
 * namespace, so attributes added to dev-server.json later are registered here.
 */
export async function ensureSearchAttributes(address: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({
      namespace,
    });
    const missing = Object.keys(devServer.searchAttributes).filter(
      (name) => !(customAttributes && name in customAttributes),
    );
    if (missing.length === 0) return;
    // Only Keyword attributes are pinned; the enum value 2 is KEYWORD.
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((name) => [name, 2])),
    });
  } finally {
    await connection.close();
  }
}

export interface FerretOptions {
  port: number;
  dataDir: string;
  logFile: string;
  /**
   * Where the documents live: SQLite files under dataDir (the default), or a PostgreSQL
   * database (the production shape, cluster/), given as its postgres:// URL.
   */
  postgresqlUrl?: string;
}

/** FerretDB's storage flags: SQLite in dataDir, or the PostgreSQL database asked for. */
function ferretHandlerArgs(opts: FerretOptions): string[] {
  if (opts.postgresqlUrl) return ['--handler=postgresql', `--postgresql-url=${opts.postgresqlUrl}`];
  const sqliteDir = path.join(opts.dataDir, 'sqlite');
  mkdirSync(sqliteDir, { recursive: true });
  return [
    '--handler=sqlite',
    // FerretDB already keeps a write-ahead log; flushing it at checkpoints instead of on
    // every commit (SQLite's default) keeps writes from queueing behind the disk, and
    // still survives the process being killed.
    `--sqlite-url=file:${path.resolve(sqliteDir)}/?_pragma=synchronous(normal)`,
  ];
}

export async function startFerret(opts: FerretOptions): Promise<Service> {
  const stateDir = path.join(opts.dataDir, 'state');
  mkdirSync(stateDir, { recursive: true });
  const service = spawnService(
    'ferretdb',
    toolPath('ferretdb'),
    [
      ...ferretHandlerArgs(opts),
      `--listen-addr=127.0.0.1:${opts.port}`,
      `--state-dir=${path.resolve(stateDir)}`,
      '--telemetry=disable',
      '--log-level=warn',
      // A fixed debug port would clash between parallel servers.
      '--debug-addr=',
    ],
    {
      logFile: opts.logFile,
      // Go collects garbage each time the heap doubles, and FerretDB's live heap is a few
      // MB: under load it collected constantly. At five times the live heap its CPU for
      // 20 cases went from 1.4 to 1.1 s, for about 9 MB more memory (npm run bench).
      env: { ...process.env, GOGC: '400' },
    },
  );
  await waitUntilReady(
    service,
    async () => {
      await tcpProbe(opts.port);
      const connection = await mongoose
        .createConnection(`mongodb://127.0.0.1:${opts.port}/`, { serverSelectionTimeoutMS: 1000 })
        .asPromise();
      try {
        await connection.db?.admin().ping();
      } finally {
        await connection.close();
      }
    },
    { logFile: opts.logFile },
  );
  return service;
}
