import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Compiles agent/ and contracts/ to plain JavaScript in <outDir> (default: dist
// beside them), with the shell hooks the agent runs. The Pi runs the compiled
// code with plain node: a TypeScript loader at run time costs ~40 MB of memory.
//   node agent/deploy/build.mjs [outDir]

const top = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const outDir = path.resolve(process.argv[2] ?? path.join(top, 'dist'));
const tsc = createRequire(path.join(top, 'package.json')).resolve('typescript/bin/tsc');

rmSync(outDir, { recursive: true, force: true });
const build = spawnSync(
  process.execPath,
  [tsc, '-p', path.join(top, 'agent', 'tsconfig.build.json'), '--outDir', outDir],
  { stdio: 'inherit' },
);
if (build.status !== 0) process.exit(build.status ?? 1);
const agentDir = path.join(top, 'agent');
for (const file of readdirSync(agentDir, { recursive: true, encoding: 'utf8' })) {
  if (!file.endsWith('.sh') || file.startsWith('deploy')) continue;
  const target = path.join(outDir, 'agent', file);
  mkdirSync(path.dirname(target), { recursive: true });
  cpSync(path.join(agentDir, file), target);
}
