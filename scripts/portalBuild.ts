import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// Builds the Nuxt portal when its sources changed since the last build.

const root = path.resolve(__dirname, '..');
const portalDir = path.join(root, 'portal');
export const portalServerEntry = path.join(portalDir, '.output', 'server', 'index.mjs');
const stampFile = path.join(portalDir, '.output', '.source-hash');
const skipped = new Set(['.nuxt', '.output', 'node_modules']);

function sourceHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (skipped.has(name)) continue;
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else hash.update(path.relative(portalDir, file)).update(readFileSync(file));
    }
  };
  walk(portalDir);
  hash.update(readFileSync(path.join(root, 'node_modules', 'nuxt', 'package.json')));
  return hash.digest('hex');
}

export async function ensurePortalBuilt(log: (line: string) => void): Promise<void> {
  const wanted = sourceHash();
  if (existsSync(portalServerEntry) && existsSync(stampFile)) {
    if (readFileSync(stampFile, 'utf8') === wanted) return;
  }
  log('[portal] building the Nuxt portal (about half a minute)');
  const started = Date.now();
  const nuxt = path.join(root, 'node_modules', 'nuxt', 'bin', 'nuxt.mjs');
  let output = '';
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [nuxt, 'build', portalDir], {
      cwd: root,
      env: { ...process.env, NUXT_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // npm start stopped by a signal mid-build: the build stops with it.
    const orphanGuard = () => child.kill('SIGKILL');
    process.once('exit', orphanGuard);
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (exitCode) => {
      process.removeListener('exit', orphanGuard);
      resolve(exitCode);
    });
  });
  if (code !== 0) throw new Error(`[portal] nuxt build failed:\n${output.slice(-4000)}`);
  writeFileSync(stampFile, wanted);
  log(`[portal] built in ${Math.round((Date.now() - started) / 1000)}s`);
}
