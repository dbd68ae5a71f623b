import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureTools } from '../temporal-config/tools';
import { ensureDebianPackages } from './debianPackages';
import { ensurePortalBuilt } from './portalBuild';

// `npm test`: installs what the tests need, then runs jest against real servers
// (its global setup starts a fresh Temporal dev server and FerretDB).

interface JestSummary {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
}

async function main() {
  ensureDebianPackages();
  await ensureTools([
    'temporal',
    'ferretdb',
    'gitleaks',
    'temporal-server',
    'temporal-sql-tool',
    'temporal-ui',
  ]);
  await ensurePortalBuilt((line) => console.log(line));

  const resultsDir = mkdtempSync(path.join(os.tmpdir(), 'zen-jest-'));
  const resultsFile = path.join(resultsDir, 'results.json');
  const jest = require.resolve('jest/bin/jest');
  const code = await new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      [jest, '--json', `--outputFile=${resultsFile}`, ...process.argv.slice(2)],
      { stdio: 'inherit' },
    );
    child.on('exit', (c) => resolve(c ?? 1));
  });
  try {
    const summary = JSON.parse(readFileSync(resultsFile, 'utf8')) as JestSummary;
    const skipped = summary.numPendingTests + summary.numTodoTests;
    // The plain closing line that CI reads.
    console.log(
      `${summary.numPassedTests} passed, ${summary.numFailedTests} failed, ${skipped} skipped`,
    );
  } catch {
    console.log('jest wrote no results');
  }
  rmSync(resultsDir, { recursive: true, force: true });
  process.exit(code);
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
