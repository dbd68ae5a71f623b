import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { checkData } from '../../contracts/diagnostics';

// mDNS discovery for real: a publisher and the agent's browser, two processes
// in a network namespace this test makes (loopback only, multicast on), so
// nothing reaches the host's own interfaces.

const run = promisify(execFile);
const root = path.resolve(__dirname, '..', '..');
const peer = path.join(root, 'test', 'support', 'mdnsPeer.ts');

const why =
  process.platform !== 'linux'
    ? 'it needs Linux network namespaces'
    : process.getuid?.() !== 0
      ? 'it needs root to create a network namespace'
      : spawnSync('sh', ['-c', 'command -v ip']).status !== 0
        ? 'the ip command (iproute2) is missing'
        : undefined;
const inCi = process.env.CI === 'true';
if (why && !inCi) console.warn(`Skipping the mDNS discovery test: ${why}.`);
const describeNetns = why && !inCi ? describe.skip : describe;

describeNetns('mDNS discovery in a network namespace', () => {
  const ns = `zen-mdns-${randomBytes(4).toString('hex')}`;
  const inNs = (...args: string[]) => run('ip', ['netns', 'exec', ns, ...args]);
  let publisher: ChildProcess | undefined;

  beforeAll(async () => {
    if (why) throw new Error(`The mDNS test must run in CI, but ${why}.`);
    await run('ip', ['netns', 'add', ns]);
    await inNs('ip', 'link', 'set', 'lo', 'up');
    await inNs('ip', 'link', 'set', 'lo', 'multicast', 'on');
    await inNs('ip', 'route', 'add', '224.0.0.0/4', 'dev', 'lo');
  });

  afterAll(async () => {
    publisher?.kill('SIGTERM');
    if (!why) await run('ip', ['netns', 'del', ns]).catch(() => undefined);
  });

  function publish(services: Array<{ name: string; type: string; port: number }>): Promise<void> {
    const child = spawn(
      'ip',
      [
        'netns',
        'exec',
        ns,
        process.execPath,
        '--import',
        'tsx',
        peer,
        'publish',
        JSON.stringify(services),
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    publisher = child;
    return new Promise((resolve, reject) => {
      child.stdout!.on(
        'data',
        (chunk: Buffer) => chunk.toString().includes('published') && resolve(),
      );
      child.once('exit', (code) => reject(new Error(`the publisher exited (${code})`)));
    });
  }

  async function browse(durationMs: number, max?: number) {
    const args = [process.execPath, '--import', 'tsx', peer, 'browse', String(durationMs)];
    const { stdout } = await inNs(...args, ...(max ? [String(max)] : []));
    return checkData.mdns.parse(JSON.parse(stdout));
  }

  it('finds the services announced on the LAN, cleaned and within bounds', async () => {
    await publish([
      { name: 'Front Desk Printer', type: 'ipp', port: 631 },
      { name: 'Backup NAS', type: 'smb', port: 445 },
      // Untrusted: a bell and a right-to-left override in the announced name.
      { name: 'Lobby\u0007 Cam\u202e', type: 'rtsp', port: 554 },
    ]);
    const started = Date.now();
    const found = await browse(2500);
    expect(Date.now() - started).toBeLessThan(20_000);
    const names = found.services.map((s) => `${s.name} ${s.type}`).sort();
    expect(names).toEqual([
      'Backup NAS _smb._tcp',
      'Front Desk Printer _ipp._tcp',
      'Lobby Cam _rtsp._tcp',
    ]);
    for (const service of found.services) expect(service.host).not.toBe('');

    // Bounded count: browsing stops at the limit.
    expect((await browse(2500, 2)).services).toHaveLength(2);
  });
});
