// Runs before anything else, with plain Node: installs the npm packages when
// they are missing or the lockfile changed, then hands over to a TypeScript script.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const lockfile = path.join(root, 'package-lock.json');
const stamp = path.join(root, 'node_modules', '.zen-lock-hash');

export function ensureNodeModules() {
  const wanted = createHash('sha256')
    .update(readFileSync(lockfile))
    .update(readFileSync(path.join(root, 'package.json')))
    .digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) return;
  console.log('Installing npm packages (about a minute)…');
  // `npm install --no-save` rather than `npm ci`: registries that serve only this
  // platform's optional binaries leave a lockfile that `npm ci` refuses.
  const args = ['install', '--no-save', '--no-audit', '--no-fund', '--loglevel=error'];
  const result = spawnSync('npm', args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('npm install failed; see the output above.');
    process.exit(result.status ?? 1);
  }
  writeFileSync(stamp, wanted);
}

/** Runs `scripts/<name>.ts` with tsx, passing signals and the exit code through. */
export function runScript(name, args = []) {
  const script = path.join(root, 'scripts', `${name}.ts`);
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: root,
    stdio: 'inherit',
  });
  // Ctrl-C reaches the child through the terminal; keep this process alive until it is done.
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
