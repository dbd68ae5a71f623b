import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import vm from 'node:vm';
import { AgentConfig } from '../config';
import { polkitActions } from '../linux/networkManager';

// The agent ships on its own: its package.json, install script and systemd unit.

const run = promisify(execFile);
const root = path.resolve(__dirname, '..', '..');
const script = path.join(__dirname, 'install.sh');
const unitPath = path.join(__dirname, 'zen-agent.service');
const inCi = process.env.CI === 'true';
const has = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

/** Every package the agent's code imports, following its relative imports from main.ts. */
function importedPackages(entry: string): {
  packages: Set<string>;
  typeOnly: Set<string>;
  files: string[];
} {
  const packages = new Set<string>();
  const typeOnly = new Set<string>();
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const [statement, spec] of source.matchAll(
      /(?:^import\b[^']*?from|import\(|require\()\s*'([^']+)'/gm,
    )) {
      if (spec!.startsWith('.')) {
        const base = path.resolve(path.dirname(file), spec!);
        const resolved = [`${base}.ts`, path.join(base, 'index.ts')].find(existsSync);
        if (!resolved) throw new Error(`${file}: cannot resolve ${spec}`);
        queue.push(resolved);
      } else if (!spec!.startsWith('node:')) {
        const parts = spec!.split('/');
        const name = spec!.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
        // Erased when compiled: needed to build, not to run.
        (statement.startsWith('import type') ? typeOnly : packages).add(name);
      }
    }
  }
  for (const name of packages) typeOnly.delete(name);
  return { packages, typeOnly, files: [...seen].map((f) => path.relative(root, f)) };
}

describe('the agent package', () => {
  const manifest = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
  const rootManifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

  it('lists every package the agent imports, and nothing it does not', () => {
    const { packages, typeOnly, files } = importedPackages(path.join(root, 'agent', 'main.ts'));
    // Only agent/ and contracts/ travel to the Pi.
    for (const file of files) expect(file).toMatch(/^(agent|contracts)\//);
    expect(Object.keys(manifest.dependencies).sort()).toEqual([...packages].sort());
    // Building needs the compiler, Node's types and the packages imported only for types.
    expect(Object.keys(manifest.devDependencies).sort()).toEqual(
      [...typeOnly, 'typescript', '@types/node'].sort(),
    );
    // No server-only packages on the device.
    for (const name of packages)
      expect(name).not.toMatch(/^(mongoose|@temporalio\/|express$|socket\.io$)/);
  });

  it('asks for the same versions as the project', () => {
    const all = { ...rootManifest.dependencies, ...rootManifest.devDependencies };
    const wanted = { ...manifest.dependencies, ...manifest.devDependencies };
    for (const [name, range] of Object.entries(wanted)) {
      if (name in all) expect(`${name}@${range}`).toBe(`${name}@${all[name]}`);
      else {
        // A package the project gets through serialport: pinned to the installed version.
        const installed = JSON.parse(
          readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8'),
        ).version;
        expect(`${name}@${range}`).toBe(`${name}@${installed}`);
      }
    }
  });
});

describe('the agent build', () => {
  it('compiles agent/ and contracts/ to JavaScript that plain node runs', async () => {
    // Inside the project, so the compiled code finds its packages as on the Pi.
    const out = path.join(root, 'dist', `build-test-${process.pid}`);
    try {
      await run(process.execPath, [path.join(__dirname, 'build.mjs'), out], { cwd: root });
      expect(statSync(path.join(out, 'agent', 'linux', 'udhcpc-hook.sh')).mode & 0o111).not.toBe(0);
      const started = spawnSync(process.execPath, [path.join(out, 'agent', 'main.js')], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH },
      });
      // It loaded every module and got as far as asking for its token.
      expect(started.stderr).toMatch(/No device token/);
      expect(started.status).toBe(2);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('install.sh', () => {
  it('is valid bash', async () => {
    await run('bash', ['-n', script]);
  });

  const shellcheck = has('shellcheck') || inCi ? it : it.skip;
  if (!has('shellcheck') && !inCi)
    console.warn('shellcheck is not installed: not linting install.sh.');
  shellcheck('is clean under shellcheck', async () => {
    if (!has('shellcheck')) throw new Error('CI must lint install.sh: apt-get install shellcheck');
    await run('shellcheck', [script]);
  });

  it('explains itself and refuses unknown options before touching anything', async () => {
    const help = await run('bash', [script, '--help']);
    expect(help.stdout).toMatch(/--code CODE/);
    const wrong = spawnSync('bash', [script, '--bogus'], { encoding: 'utf8' });
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/unknown option --bogus/);
  });
});

describe('the polkit rule for NetworkManager', () => {
  const rulesPath = path.join(__dirname, 'zen-agent.rules');

  /** polkit's verdict for (action, user), running the rules file as polkitd does. */
  function verdict(action: string, user: string): string {
    const rules: ((action: { id: string }, subject: { user: string }) => string)[] = [];
    const polkit = {
      Result: { YES: 'yes', NO: 'no', NOT_HANDLED: 'not handled' },
      addRule: (rule: (typeof rules)[number]) => rules.push(rule),
    };
    vm.runInNewContext(readFileSync(rulesPath, 'utf8'), { polkit });
    expect(rules).toHaveLength(1);
    return rules[0]!({ id: action }, { user }) ?? 'not handled';
  }

  it('allows zen-agent exactly the NetworkManager actions its nmcli commands need', () => {
    const others = [
      'org.freedesktop.NetworkManager.enable-disable-network',
      'org.freedesktop.NetworkManager.settings.modify.hostname',
      'org.freedesktop.NetworkManager.settings.modify.own',
      'org.freedesktop.NetworkManager.settings.modify.global-dns',
      'org.freedesktop.NetworkManager.wifi.share.open',
      'org.freedesktop.NetworkManager.checkpoint-rollback',
      'org.freedesktop.login1.reboot',
    ];
    for (const action of polkitActions) {
      expect(`${action}: ${verdict(action, 'zen-agent')}`).toBe(`${action}: yes`);
      expect(`${action}: ${verdict(action, 'pi')}`).toBe(`${action}: not handled`);
    }
    for (const action of others)
      expect(`${action}: ${verdict(action, 'zen-agent')}`).toBe(`${action}: not handled`);
  });

  it("is installed by install.sh into polkit's rules directory, readable by polkitd", () => {
    const install = readFileSync(script, 'utf8');
    expect(install).toContain('readonly polkit_rule=/etc/polkit-1/rules.d/50-zen-agent.rules');
    expect(install).toContain(
      'install -D -m 0644 "$src/agent/deploy/zen-agent.rules" "$polkit_rule"',
    );
  });
});

describe('zen-agent.service', () => {
  const unit = readFileSync(unitPath, 'utf8');
  const settings = (key: string) =>
    [...unit.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]!.trim());

  const verify = has('systemd-analyze') ? it : it.skip;
  verify('passes systemd-analyze verify without a warning', async () => {
    // Copied under its own name: verify reads the unit name from the file name.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'zen-unit-'));
    const copy = path.join(dir, 'zen-agent.service');
    writeFileSync(copy, unit);
    const { stderr } = await run('systemd-analyze', ['verify', copy]);
    expect(stderr).toBe('');
  });

  it('runs the agent as its own user with only the network capabilities, restarting on failure', () => {
    const sections = [...unit.matchAll(/^\[(\w+)\]$/gm)].map((m) => m[1]);
    expect(sections).toEqual(['Unit', 'Service', 'Install']);
    expect(settings('User')).toEqual(['zen-agent']);
    for (const key of ['AmbientCapabilities', 'CapabilityBoundingSet']) {
      expect(settings(key)[0]!.split(/\s+/).sort()).toEqual(['CAP_NET_ADMIN', 'CAP_NET_RAW']);
    }
    expect(settings('Restart')).toEqual(['on-failure']);
    // Without a CA file the box trusts the system's store, as the README says.
    expect(settings('Environment')).toContain('NODE_OPTIONS=--use-openssl-ca');
    expect(settings('NoNewPrivileges')).toEqual(['yes']);
    expect(settings('ProtectSystem')).toEqual(['strict']);
    // The one place it writes its own state, the NM route's kept DNS settings included.
    expect(`/var/lib/${settings('StateDirectory')[0]}`).toBe(
      AgentConfig.parse({}).network.stateDir,
    );
    // The unit and the install script agree on where things are.
    const [execStart] = settings('ExecStart');
    expect(execStart).toBe('/usr/bin/node dist/agent/main.js --config /etc/zen-agent/config.json');
    const install = readFileSync(script, 'utf8');
    expect(install).toContain(`readonly app_dir=${settings('WorkingDirectory')[0]}`);
    expect(install).toContain('readonly config_file=$config_dir/config.json');
    expect(install).toContain('readonly config_dir=/etc/zen-agent');
  });
});
