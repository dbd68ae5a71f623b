import { spawn, execFile } from 'node:child_process';
import {
  cpSync,
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import versions from './versions.json';

// Builds the pinned Go tools (the Temporal CLI dev server, FerretDB, the real Temporal
// server, its SQL tool and UI server, gitleaks) into .tools/bin, only when missing or when
// the pin in versions.json changed. A cold build takes minutes on two cores, so it reports
// progress as it goes. Files a tool needs from its module source at run time (a pin's
// `keep`, e.g. the SQL schemas) are copied to .tools/share/<tool>/ before the source goes.

export type ToolName = keyof typeof versions;
type Pin = (typeof versions)[ToolName];

const root = path.resolve(__dirname, '..');
const toolsDir = path.join(root, '.tools');
const binDir = path.join(toolsDir, 'bin');
const run = promisify(execFile);

export function toolPath(name: ToolName): string {
  return path.join(binDir, name);
}

/** Where a pin's `keep` files live, under the same relative paths as in the module. */
export function toolSharePath(name: ToolName): string {
  return path.join(toolsDir, 'share', name);
}

function keptFiles(pin: Pin): string[] {
  return 'keep' in pin ? pin.keep : [];
}

function stampPath(name: ToolName): string {
  return path.join(binDir, `.${name}.pin`);
}

// The stamp records everything that decides the binary, so changing any of it rebuilds.
function stampOf(pin: Pin): string {
  return JSON.stringify(pin);
}

export function isToolCurrent(name: ToolName): boolean {
  const stamp = stampPath(name);
  return (
    existsSync(toolPath(name)) &&
    existsSync(stamp) &&
    readFileSync(stamp, 'utf8') === stampOf(versions[name]) &&
    keptFiles(versions[name]).every((kept) => existsSync(path.join(toolSharePath(name), kept)))
  );
}

/** Fails early, saying how to build the tools that are missing or older than their pin. */
export function assertToolsBuilt(names: ToolName[]): void {
  const missing = names.filter((name) => !isToolCurrent(name));
  if (missing.length > 0) {
    throw new Error(
      `Not built at the pinned version: ${missing.join(', ')}. \`npm test\` and \`npm run cluster\` build them ` +
        `(or: npx tsx temporal-config/tools.ts ${missing.join(' ')}).`,
    );
  }
}

async function goAvailable(): Promise<string> {
  try {
    const { stdout } = await run('go', ['version']);
    return stdout.trim();
  } catch {
    throw new Error(
      'Go is needed to build the Temporal dev server and FerretDB (Go 1.24 or newer). ' +
        'Install Go, or point TEMPORAL_ADDRESS and MONGO_URL at existing servers.',
    );
  }
}

function elapsed(since: number): string {
  const s = Math.round((Date.now() - since) / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * Our fixes to a pinned module (each says why in versions.json): `find` must occur exactly
 * `count` times (default once), or the build stops: the module's text moved.
 */
function applyPatch(
  name: ToolName,
  srcDir: string,
  patch: { file: string; find: string; replace: string; count?: number },
): void {
  const target = path.join(srcDir, patch.file);
  const parts = readFileSync(target, 'utf8').split(patch.find);
  if (parts.length - 1 !== (patch.count ?? 1)) {
    throw new Error(`[${name}] patch for ${patch.file} no longer applies: ${patch.find}`);
  }
  chmodSync(target, 0o644);
  writeFileSync(target, parts.join(patch.replace));
}

// Module files are read-only; the copies are made writable so a later rebuild can replace them.
function keepFiles(name: ToolName, srcDir: string): void {
  const shareDir = toolSharePath(name);
  rmSync(shareDir, { recursive: true, force: true });
  for (const kept of keptFiles(versions[name])) {
    const target = path.join(shareDir, kept);
    mkdirSync(path.dirname(target), { recursive: true });
    cpSync(path.join(srcDir, kept), target, { recursive: true });
  }
  if (!existsSync(shareDir)) return;
  chmodSync(shareDir, 0o755);
  for (const entry of readdirSync(shareDir, { recursive: true, withFileTypes: true })) {
    chmodSync(path.join(entry.parentPath, entry.name), entry.isDirectory() ? 0o755 : 0o644);
  }
}

async function buildTool(name: ToolName, log: (line: string) => void): Promise<void> {
  const pin = versions[name];
  const started = Date.now();
  log(`[${name}] building ${pin.module}@${pin.version} (first time only; takes a few minutes)`);

  log(`[${name}] downloading the module`);
  const { stdout } = await run('go', ['mod', 'download', '-json', `${pin.module}@${pin.version}`], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const moduleDir = (JSON.parse(stdout) as { Dir?: string }).Dir;
  if (!moduleDir) throw new Error(`[${name}] go mod download gave no directory`);

  // Build from a writable copy: some modules expect files their own release
  // tooling generates (FerretDB's version.txt), and the module cache is read-only.
  const srcDir = path.join(toolsDir, 'src', `${name}@${pin.version}`);
  rmSync(srcDir, { recursive: true, force: true });
  mkdirSync(path.dirname(srcDir), { recursive: true });
  cpSync(moduleDir, srcDir, { recursive: true });
  chmodSync(srcDir, 0o755);
  for (const [file, content] of Object.entries(pin.generatedFiles)) {
    const target = path.join(srcDir, file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  for (const patch of 'patches' in pin ? pin.patches : []) applyPatch(name, srcDir, patch);

  log(`[${name}] resolving packages`);
  const env = { ...process.env, GOFLAGS: '-buildvcs=false', CGO_ENABLED: '0' };
  const { stdout: deps } = await run('go', ['list', '-deps', pin.package], {
    cwd: srcDir,
    env,
    maxBuffer: 64 * 1024 * 1024,
  });
  const total = deps.split('\n').filter(Boolean).length;

  mkdirSync(binDir, { recursive: true });
  const output = toolPath(name) + '.partial';
  await new Promise<void>((resolve, reject) => {
    const args = ['build', '-v', '-trimpath', '-o', output];
    if (pin.ldflags) args.push('-ldflags', pin.ldflags);
    args.push(pin.package);
    const child = spawn('go', args, { cwd: srcDir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let compiled = 0;
    let lastReport = 0;
    let errors = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) {
        if (!line) continue;
        if (/^[\w.-]+(\/[\w.@~-]+)*$/.test(line)) compiled += 1;
        else errors += line + '\n';
      }
      if (Date.now() - lastReport > 5000) {
        lastReport = Date.now();
        const pct = Math.min(99, Math.round((compiled / total) * 100));
        log(`[${name}] compiling ${pct}% (${compiled}/${total} packages, ${elapsed(started)})`);
      }
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`[${name}] go build failed:\n${errors}`)),
    );
  });
  rmSync(toolPath(name), { force: true });
  cpSync(output, toolPath(name));
  chmodSync(toolPath(name), 0o755);
  rmSync(output, { force: true });
  keepFiles(name, srcDir);
  rmSync(srcDir, { recursive: true, force: true });
  writeFileSync(stampPath(name), stampOf(pin));
  log(`[${name}] ready in ${elapsed(started)}: ${path.relative(root, toolPath(name))}`);
}

/** Builds whichever tools are missing or out of date. */
export async function ensureTools(
  names: ToolName[] = ['temporal', 'ferretdb'],
  log: (line: string) => void = (line) => console.log(line),
): Promise<void> {
  const missing = names.filter((n) => !isToolCurrent(n));
  if (missing.length === 0) return;
  log(`Tools: ${await goAvailable()}`);
  // One at a time: each build already uses every core.
  for (const name of missing) await buildTool(name, log);
}

/** `npx tsx temporal-config/tools.ts [tool ...]`: the named tools, or the dev servers'. */
function toolsNamed(args: string[]): ToolName[] | undefined {
  const unknown = args.filter((arg) => !(arg in versions));
  if (unknown.length > 0) {
    throw new Error(
      `Unknown tool: ${unknown.join(', ')} (known: ${Object.keys(versions).join(', ')})`,
    );
  }
  return args.length > 0 ? (args as ToolName[]) : undefined;
}

if (require.main === module) {
  Promise.resolve()
    .then(() => ensureTools(toolsNamed(process.argv.slice(2))))
    .then(
      () => console.log('Tools are up to date.'),
      (err: Error) => {
        console.error(err.message);
        process.exit(1);
      },
    );
}
