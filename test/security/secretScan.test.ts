import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describeFinding, scanRepository } from '../../scripts/secretScan';
import { ensureTools } from '../../temporal-config/tools';

// Secret scanning in CI: gitleaks, built from its pinned Go module, finds nothing in the
// repository's files or history; and it does find a secret in a file or only in an old commit.

const run = promisify(execFile);
// A cold gitleaks build takes minutes on two cores (npm test builds it before jest starts).
const BUILD_MS = 10 * 60_000;
const SCAN_MS = 3 * 60_000;

/** The one value .gitleaks.toml allows, only in api/accessTokens.test.ts: read from there. */
const allowedFixture = /^regexes = \['''(.+)'''\]$/m.exec(
  readFileSync(path.resolve(__dirname, '../../.gitleaks.toml'), 'utf8'),
)![1]!;

const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** A token shaped like a GitHub personal access token, made now: no literal in this file. */
const fakeGitHubToken = () =>
  'ghp' + '_' + Array.from({ length: 36 }, () => alphabet[randomInt(alphabet.length)]).join('');

describe('secret scanning (gitleaks)', () => {
  beforeAll(async () => {
    await ensureTools(['gitleaks']);
  }, BUILD_MS);

  it(
    "finds no secret in the repository's files or history",
    async () => {
      const { files, history } = await scanRepository();
      expect([...files, ...history].map(describeFinding)).toEqual([]);
    },
    SCAN_MS,
  );

  describe('in a repository with a secret', () => {
    let repo: string;
    const git = (...args: string[]) =>
      run('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], {
        cwd: repo,
      });
    beforeAll(async () => {
      repo = mkdtempSync(path.join(os.tmpdir(), 'zen-leaky-repo-'));
      await git('init', '-q');
    });
    afterAll(() => rmSync(repo, { recursive: true, force: true }));

    it(
      'finds one removed from the files but left in an old commit, and one not yet committed',
      async () => {
        writeFileSync(
          path.join(repo, 'deploy.ts'),
          `export const token = '${fakeGitHubToken()}';\n`,
        );
        await git('add', 'deploy.ts');
        await git('commit', '-qm', 'add deploy');
        unlinkSync(path.join(repo, 'deploy.ts'));
        await git('commit', '-qam', 'remove the token');
        // The test fixture's allowed value counts anywhere but in its own file.
        writeFileSync(
          path.join(repo, 'settings.ts'),
          `const secret = '${allowedFixture}';
export const github = '${fakeGitHubToken()}';\n`,
        );

        const { files, history } = await scanRepository(repo);
        expect(history.map((f) => [f.File, f.RuleID])).toEqual([['deploy.ts', 'github-pat']]);
        expect(files.map((f) => [f.File, f.RuleID]).sort()).toEqual([
          ['settings.ts', 'generic-api-key'],
          ['settings.ts', 'github-pat'],
        ]);
      },
      SCAN_MS,
    );
  });
});
