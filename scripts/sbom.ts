import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

// `npm run sbom`: CycloneDX software bills of materials, from the committed lockfile (the
// versions that are pinned, whatever node_modules holds now), with npm's own `npm sbom`:
//   dist/sbom/zen-server.cdx.json  the API/worker/portal image: the production dependencies
//                                  (the image runs `npm prune --omit=dev`, see Dockerfile)
//   dist/sbom/zen-agent.cdx.json   the Pi agent: agent/package.json's dependencies, at the
//                                  versions the root lockfile pins for them

const run = promisify(execFile);
const root = path.resolve(__dirname, '..');
export const sbomDir = path.join(root, 'dist', 'sbom');
export const sbomFiles = {
  server: path.join(sbomDir, 'zen-server.cdx.json'),
  agent: path.join(sbomDir, 'zen-agent.cdx.json'),
};

interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  dev?: boolean;
  devOptional?: boolean;
  [field: string]: unknown;
}

interface Lockfile {
  name: string;
  version: string;
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
}

const readJson = <T>(file: string) => JSON.parse(readFileSync(file, 'utf8')) as T;

/** `npm sbom` of the project in `dir`, production dependencies only, named as the package. */
async function npmSbom(dir: string, pkg: PackageJson): Promise<Record<string, unknown>> {
  const { stdout } = await run(
    'npm',
    ['sbom', '--sbom-format', 'cyclonedx', '--omit', 'dev', '--package-lock-only'],
    { cwd: dir, maxBuffer: 64 * 1024 * 1024 },
  );
  const bom = JSON.parse(stdout) as { metadata: { component: Record<string, unknown> } };
  // Without a lockfile name npm names the root after its folder.
  Object.assign(bom.metadata.component, { name: pkg.name, version: pkg.version });
  return bom;
}

/** Where node would find `name` from the package at `from` (a lockfile key; '' is the top). */
function resolve(lock: Lockfile, from: string, name: string): string | undefined {
  for (let dir = from; ;) {
    const key = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
    if (lock.packages[key]) return key;
    if (!dir) return undefined;
    const parent = dir.lastIndexOf('/node_modules/');
    dir = parent < 0 ? '' : dir.slice(0, parent);
  }
}

/** The root lockfile cut down to what the agent's own dependencies pull in. */
export function agentLockfile(lock: Lockfile, agent: PackageJson): Lockfile {
  const wanted = { ...agent.dependencies, ...agent.optionalDependencies };
  const packages: Record<string, LockEntry> = {
    '': { name: agent.name, version: agent.version, dependencies: agent.dependencies },
  };
  const queue: [from: string, name: string][] = Object.keys(wanted).map((name) => ['', name]);
  for (let next = queue.shift(); next; next = queue.shift()) {
    const key = resolve(lock, next[0], next[1]);
    if (!key || packages[key]) continue;
    // Whatever the agent needs is a production dependency for it, whatever it is at the top.
    const entry = { ...lock.packages[key]! };
    delete entry.dev;
    delete entry.devOptional;
    packages[key] = entry;
    const deps = { ...entry.dependencies, ...entry.optionalDependencies };
    for (const name of Object.keys(deps)) queue.push([key, name]);
  }
  return {
    name: agent.name,
    version: agent.version,
    lockfileVersion: lock.lockfileVersion,
    packages,
  };
}

export async function writeSboms(): Promise<typeof sbomFiles> {
  mkdirSync(sbomDir, { recursive: true });
  const server = await npmSbom(root, readJson<PackageJson>(path.join(root, 'package.json')));
  writeFileSync(sbomFiles.server, JSON.stringify(server, null, 2) + '\n');

  const agent = readJson<PackageJson>(path.join(root, 'agent', 'package.json'));
  const lock = readJson<Lockfile>(path.join(root, 'package-lock.json'));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'zen-agent-sbom-'));
  try {
    writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ ...agent, devDependencies: {} }),
    );
    writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify(agentLockfile(lock, agent)));
    writeFileSync(sbomFiles.agent, JSON.stringify(await npmSbom(dir, agent), null, 2) + '\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return sbomFiles;
}

if (require.main === module) {
  writeSboms().then(
    (files) => {
      for (const file of Object.values(files)) console.log(`SBOM: ${path.relative(root, file)}`);
    },
    (err: Error) => {
      console.error(err.message);
      process.exit(1);
    },
  );
}
