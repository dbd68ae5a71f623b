import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { toolPath, toolSharePath } from '../temporal-config/tools';
import type { PostgresServer } from './postgres';

// The real Temporal server's two PostgreSQL databases, made and brought up to the pinned
// server's schema by Temporal's own SQL tool. Every step is idempotent (checked: a second
// create-database, setup-schema -v 0.0 on a newer schema, update-schema at the latest version
// all succeed and change nothing), so each start runs them all.

const run = promisify(execFile);

/** Persistence and visibility: database name and the schema folder it follows. */
export const temporalDatabases = {
  persistence: { name: 'temporal', schema: 'temporal' },
  visibility: { name: 'temporal_visibility', schema: 'visibility' },
} as const;

function versionedSchemaDir(schema: string): string {
  return path.join(
    toolSharePath('temporal-sql-tool'),
    'schema/postgresql/v12',
    schema,
    'versioned',
  );
}

export async function prepareTemporalDatabases(postgres: PostgresServer): Promise<void> {
  for (const { name, schema } of Object.values(temporalDatabases)) {
    const dir = versionedSchemaDir(schema);
    if (!existsSync(dir)) {
      throw new Error(
        `Temporal's SQL schema is missing (${dir}): run \`npm test\` or \`npm run cluster\` to build the tools.`,
      );
    }
    await sqlTool(postgres, name, ['create-database']);
    await sqlTool(postgres, name, ['setup-schema', '-v', '0.0']);
    await sqlTool(postgres, name, ['update-schema', '-d', dir]);
  }
}

async function sqlTool(postgres: PostgresServer, database: string, command: string[]) {
  const args = ['--plugin', 'postgres12', '--ep', '127.0.0.1', '-p', String(postgres.port)];
  args.push('-u', postgres.user, '--db', database, ...command);
  try {
    // The password goes by environment, not on a command line every process can read.
    await run(toolPath('temporal-sql-tool'), args, {
      env: { ...process.env, SQL_PASSWORD: postgres.password },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    const { stderr, stdout, message } = err as {
      stderr?: string;
      stdout?: string;
      message: string;
    };
    const output = `${stdout ?? ''}${stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`temporal-sql-tool ${command[0]} on ${database} failed: ${output || message}`);
  }
}
