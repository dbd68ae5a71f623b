import { execFile } from 'node:child_process';
import { copyFileSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensureTools, toolPath } from '../temporal-config/tools';

// `npm run secrets`: gitleaks (built from its pinned Go module, temporal-config/versions.json)
// scans the repository's files and its whole history with the rules in .gitleaks.toml, and
// fails on any finding. Secrets are redacted in what it prints.

const run = promisify(execFile);
const root = path.resolve(__dirname, '..');

export interface Finding {
  RuleID: string;
  File: string;
  StartLine: number;
  Commit: string;
  Description: string;
}

export interface ScanResult {
  files: Finding[];
  history: Finding[];
}

async function gitleaks(args: string[], cwd: string): Promise<Finding[]> {
  const reportDir = mkdtempSync(path.join(os.tmpdir(), 'zen-gitleaks-'));
  const report = path.join(reportDir, 'report.json');
  try {
    const common = ['--no-banner', '--redact', '--log-level', 'error', '--exit-code', '0'];
    const config = ['--config', path.join(root, '.gitleaks.toml')];
    await run(toolPath('gitleaks'), [...args, ...common, ...config, '-f', 'json', '-r', report], {
      cwd,
      maxBuffer: 16 * 1024 * 1024,
    });
    return JSON.parse(readFileSync(report, 'utf8')) as Finding[];
  } finally {
    rmSync(reportDir, { recursive: true, force: true });
  }
}

/**
 * The files git would commit (tracked, and new ones not ignored), copied apart: node_modules,
 * .data and build output are not the repository's, and the scan must not read them.
 */
async function repositoryFiles(repo: string): Promise<string> {
  const { stdout } = await run('git', ['ls-files', '-z', '-co', '--exclude-standard'], {
    cwd: repo,
    maxBuffer: 64 * 1024 * 1024,
  });
  const copy = mkdtempSync(path.join(os.tmpdir(), 'zen-scan-files-'));
  for (const file of stdout.split('\0').filter(Boolean)) {
    const from = path.join(repo, file);
    // Symlinks (node_modules, .tools in a worktree) and deleted files are not content.
    const stat = lstatSync(from, { throwIfNoEntry: false });
    if (!stat?.isFile()) continue;
    mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
    copyFileSync(from, path.join(copy, file));
  }
  return copy;
}

/** Scans a repository's files and every commit of its history. */
export async function scanRepository(repo: string = root): Promise<ScanResult> {
  const copy = await repositoryFiles(repo);
  try {
    const files = await gitleaks(['dir', '.'], copy);
    const history = await gitleaks(['git', repo], repo);
    return { files, history };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

export function describeFinding(f: Finding): string {
  const where = f.Commit
    ? `${f.File}:${f.StartLine} in commit ${f.Commit.slice(0, 12)}`
    : `${f.File}:${f.StartLine}`;
  return `${where}: ${f.RuleID} (${f.Description})`;
}

if (require.main === module) {
  (async () => {
    await ensureTools(['gitleaks']);
    const { files, history } = await scanRepository();
    for (const f of [...files, ...history]) console.error(`secret: ${describeFinding(f)}`);
    console.log(
      `gitleaks: ${files.length} finding(s) in the files, ${history.length} in the history`,
    );
    process.exit(files.length + history.length === 0 ? 0 : 1);
  })().catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
  });
}
