import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { spawnService, waitUntilReady, type Service } from '../temporal-config/process';

// A PostgreSQL server of the cluster's own (Debian's postgresql-15), its data in one
// directory: Temporal's persistence and visibility, FerretDB's documents and the API
// instances' socket.io bus each get a database in it. Run as root, it runs as the
// `postgres` user (PostgreSQL refuses root); otherwise as whoever runs it.

const binDir = '/usr/lib/postgresql/15/bin';
export const postgresUser = 'zen';

export interface PostgresOptions {
  dataDir: string;
  port: number;
  logFile: string;
}

export interface PostgresServer {
  port: number;
  /** postgres://zen:…@127.0.0.1:port/<database> */
  url(database: string): string;
  user: string;
  password: string;
  /** Creates the database unless it exists. */
  ensureDatabase(name: string): Promise<void>;
  /** Stops (fast shutdown: open connections are cut) and starts it again on the same data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** The running postmaster, for a kill -9. */
  service(): Service;
}

const asRoot = process.getuid?.() === 0;

/** A PostgreSQL program's command line, as the server's own user when run as root. */
function asOwner(program: string, args: string[]): [string, string[]] {
  return asRoot
    ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', program, ...args]]
    : [program, args];
}

/** Runs a PostgreSQL program as the server's own user; throws with its output on failure. */
function runAsOwner(program: string, args: string[]): void {
  const result = spawnSync(...asOwner(program, args), { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${path.basename(program)} failed: ${result.stderr || result.stdout}`);
  }
}

function assertInstalled(): void {
  if (!existsSync(path.join(binDir, 'postgres'))) {
    throw new Error(
      'PostgreSQL 15 is not installed: run `npm run setup` as root (Debian package postgresql-15).',
    );
  }
}

/** A new data directory with a password-protected superuser, once; its password is kept beside it. */
function initialise(dataDir: string): string {
  const passwordFile = path.join(path.dirname(dataDir), 'postgres.password');
  if (existsSync(path.join(dataDir, 'PG_VERSION'))) return readFileSync(passwordFile, 'utf8');
  const password = randomBytes(18).toString('hex');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(passwordFile, password, { mode: 0o600 });
  // initdb reads the password from a file its own user can read.
  const initFile = path.join(dataDir, '..', '.initdb-password');
  writeFileSync(initFile, password, { mode: 0o600 });
  if (asRoot) {
    for (const target of [dataDir, initFile]) chownSync(target, uid('postgres'), gid('postgres'));
  }
  try {
    runAsOwner(path.join(binDir, 'initdb'), [
      '--pgdata',
      dataDir,
      '--username',
      postgresUser,
      '--pwfile',
      initFile,
      '--auth-host=scram-sha-256',
      '--auth-local=scram-sha-256',
      '--encoding=UTF8',
      '--locale=C',
    ]);
  } finally {
    rmSync(initFile, { force: true });
  }
  return password;
}

function uid(user: string): number {
  return Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim());
}
function gid(user: string): number {
  return Number(spawnSync('id', ['-g', user], { encoding: 'utf8' }).stdout.trim());
}

export async function startPostgres(opts: PostgresOptions): Promise<PostgresServer> {
  assertInstalled();
  const dataDir = path.resolve(opts.dataDir);
  mkdirSync(path.dirname(dataDir), { recursive: true });
  // The postgres user must reach its data directory through the parents.
  if (asRoot) chmodSync(path.dirname(dataDir), 0o755);
  const password = initialise(dataDir);
  const url = (database: string) =>
    `postgres://${postgresUser}:${password}@127.0.0.1:${opts.port}/${database}`;

  const args = [
    '-D',
    dataDir,
    '-p',
    String(opts.port),
    '-c',
    'listen_addresses=127.0.0.1',
    // The socket goes in the data directory, not the system's /var/run/postgresql.
    '-c',
    `unix_socket_directories=${dataDir}`,
    // Temporal's history, matching and frontend, FerretDB and the bus each hold a pool.
    '-c',
    'max_connections=400',
    '-c',
    'shared_buffers=128MB',
  ];
  let current: Service | undefined;
  const start = async () => {
    const [command, fullArgs] = asOwner(path.join(binDir, 'postgres'), args);
    const service = spawnService('postgres', command, fullArgs, { logFile: opts.logFile });
    await waitUntilReady(service, () => query(url('postgres'), 'SELECT 1'), {
      logFile: opts.logFile,
      timeoutMs: 60_000,
    });
    current = service;
  };
  await start();

  return {
    port: opts.port,
    url,
    user: postgresUser,
    password,
    async ensureDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Not a database name: ${name}`);
      const { rowCount } = await query(
        url('postgres'),
        'SELECT 1 FROM pg_database WHERE datname = $1',
        [name],
      );
      if (!rowCount) await query(url('postgres'), `CREATE DATABASE ${name}`);
    },
    async restart() {
      await stopService(current);
      await start();
    },
    stop: () => stopService(current),
    service: () => {
      if (!current) throw new Error('PostgreSQL is not running');
      return current;
    },
  };
}

/** Fast shutdown (SIGINT): PostgreSQL cuts its connections and stops at once. */
async function stopService(service: Service | undefined): Promise<void> {
  if (!service || service.child.exitCode !== null || service.child.signalCode !== null) return;
  service.child.kill('SIGINT');
  const killer = setTimeout(() => service.child.kill('SIGKILL'), 15_000);
  await service.exited;
  clearTimeout(killer);
}

async function query(url: string, sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}
