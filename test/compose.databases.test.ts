import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { startPostgres, type PostgresServer } from '../cluster/postgres';
import { freePort } from '../temporal-config/process';

// The one-shot jobs that docker-compose.yml runs against its PostgreSQL, run here as they are
// against a real PostgreSQL (the cluster's own, Debian's 15): the bus database of the API
// instances, and Temporal's schemas by Temporal's own SQL tool.

const run = promisify(execFile);
const root = path.resolve(__dirname, '..');
const busScript = path.join(root, 'config/postgres/create-bus-database.sh');
const schemaScript = path.join(root, 'temporal-config/docker/setup-schema.sh');
// Built by the cluster's tools (temporal-config/tools.ts), with the schemas it ships beside it.
const sqlToolDir = path.join(root, '.tools/bin');
const shippedSchemas = path.join(root, '.tools/share/temporal-sql-tool/schema/postgresql/v12');

let dir: string;
let postgres: PostgresServer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'zen-compose-db-'));
  postgres = await startPostgres({
    dataDir: path.join(dir, 'pgdata'),
    port: await freePort(),
    logFile: path.join(dir, 'postgres.log'),
  });
}, 90_000);

afterAll(async () => {
  await postgres?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The administrator's connection, as compose hands it to the jobs (libpq's variables). */
function adminEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    PGHOST: '127.0.0.1',
    PGPORT: String(postgres.port),
    PGUSER: postgres.user,
    PGPASSWORD: postgres.password,
  };
}

async function asBus(password: string, sql: string) {
  const client = new pg.Client({
    host: '127.0.0.1',
    port: postgres.port,
    user: 'zen_bus',
    password,
    database: 'zen_bus',
  });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

describe("the API instances' bus database (config/postgres/create-bus-database.sh)", () => {
  test('refuses to run without a password, and creates nothing', async () => {
    const failed = await run('bash', [busScript], { env: adminEnv() }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toContain('ZEN_BUS_DB_PASSWORD is not set');
    const admin = new pg.Client({ connectionString: postgres.url('postgres') });
    await admin.connect();
    try {
      const { rows } = await admin.query(
        "SELECT (SELECT count(*) FROM pg_roles WHERE rolname = 'zen_bus')::int AS roles, " +
          "(SELECT count(*) FROM pg_database WHERE datname = 'zen_bus')::int AS databases",
      );
      expect(rows).toEqual([{ roles: 0, databases: 0 }]);
    } finally {
      await admin.end();
    }
  });

  test('makes role and database zen_bus, again on every start, taking a changed password', async () => {
    const first = 'busFirst4e1c';
    await run('bash', [busScript], { env: { ...adminEnv(), ZEN_BUS_DB_PASSWORD: first } });
    // What the socket.io adapter does there: its own table, and NOTIFY between instances.
    await asBus(first, 'CREATE TABLE attachments (id bigserial PRIMARY KEY, payload bytea)');
    await asBus(first, "NOTIFY bus, 'hello'");

    // A password with a quote cannot break out of the SQL it goes into.
    const second = "busSecond9'; DROP DATABASE zen_bus; --";
    await run('bash', [busScript], { env: { ...adminEnv(), ZEN_BUS_DB_PASSWORD: second } });
    const { rows } = await asBus(second, 'SELECT count(*)::int AS n FROM attachments');
    expect(rows).toEqual([{ n: 0 }]);
    await expect(asBus(first, 'SELECT 1')).rejects.toThrow(/password authentication failed/);
  }, 60_000);
});

describe("Temporal's schemas by its SQL tool (temporal-config/docker/setup-schema.sh)", () => {
  /** The newest versioned folder the tool ships for a schema, e.g. 1.18. */
  function latest(schema: 'temporal' | 'visibility'): string {
    const versions = readdirSync(path.join(shippedSchemas, schema, 'versioned')).map((name) =>
      name.replace(/^v/, ''),
    );
    const key = (v: string) => v.split('.').map(Number);
    return versions.sort((a, b) => key(a)[0]! - key(b)[0]! || key(a)[1]! - key(b)[1]!).at(-1)!;
  }

  async function schemaVersion(database: string): Promise<string> {
    const client = new pg.Client({ connectionString: postgres.url(database) });
    await client.connect();
    try {
      const { rows } = await client.query<{ curr_version: string }>(
        'SELECT curr_version FROM schema_version WHERE version_partition = 0 AND db_name = $1',
        [database],
      );
      return rows[0]?.curr_version ?? 'none';
    } finally {
      await client.end();
    }
  }

  test("creates both databases at the release's newest schema, and a second run changes nothing", async () => {
    if (!existsSync(path.join(sqlToolDir, 'temporal-sql-tool'))) {
      throw new Error(
        "temporal-sql-tool is not built: `npm run cluster` builds it (the cluster's tools)",
      );
    }
    const env = {
      ...adminEnv(),
      PATH: `${sqlToolDir}:${process.env.PATH}`,
      SQL_PLUGIN: 'postgres12',
      SQL_HOST: '127.0.0.1',
      SQL_PORT: String(postgres.port),
      SQL_USER: postgres.user,
      SQL_PASSWORD: postgres.password,
    };
    const expected = { temporal: latest('temporal'), temporal_visibility: latest('visibility') };
    for (let round = 0; round < 2; round++) {
      const { stdout } = await run('bash', [schemaScript], { env, maxBuffer: 16 << 20 });
      expect(stdout).toContain('Temporal schemas are current.');
      expect({
        temporal: await schemaVersion('temporal'),
        temporal_visibility: await schemaVersion('temporal_visibility'),
      }).toEqual(expected);
    }
  }, 120_000);
});
