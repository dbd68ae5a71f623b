import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { sbomFiles } from '../../scripts/sbom';

// `npm run sbom` writes CycloneDX SBOMs of the server image's production dependencies and of
// the agent, each naming the versions the lockfile pins; the agent's names no server package.

const run = promisify(execFile);
const root = path.resolve(__dirname, '..', '..');

interface Bom {
  bomFormat: string;
  specVersion: string;
  metadata: { component: { name: string } };
  components: { name: string; version: string; purl?: string }[];
}

const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version: string }>;
};
const pinned = (name: string) => `${name}@${lock.packages[`node_modules/${name}`]!.version}`;
const named = (bom: Bom) => bom.components.map((c) => `${c.name}@${c.version}`);
const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Bom;

describe('npm run sbom', () => {
  let server: Bom;
  let agent: Bom;
  beforeAll(async () => {
    for (const file of Object.values(sbomFiles)) rmSync(file, { force: true });
    await run('npm', ['run', '--silent', 'sbom'], { cwd: root });
    server = read(sbomFiles.server);
    agent = read(sbomFiles.agent);
  }, 120_000);

  it('writes CycloneDX JSON for the server image and the agent', () => {
    for (const bom of [server, agent]) {
      expect(bom.bomFormat).toBe('CycloneDX');
      expect(bom.specVersion).toMatch(/^1\.\d+$/);
      expect(bom.components.every((c) => c.purl?.startsWith('pkg:npm/'))).toBe(true);
    }
    expect(server.metadata.component.name).toBe('zen-network-support');
    expect(agent.metadata.component.name).toBe('zen-agent');
  });

  it("names the server's production packages at their pinned versions, and no dev tool", () => {
    for (const name of ['express', 'mongoose', '@temporalio/worker', 'zod', 'socket.io']) {
      expect(named(server)).toContain(pinned(name));
    }
    const names = server.components.map((c) => c.name);
    for (const devTool of ['jest', 'typescript', 'eslint', 'playwright-core']) {
      expect(names).not.toContain(devTool);
    }
  });

  it("names the agent's packages at their pinned versions, and none of the server's", () => {
    for (const name of ['socket.io-client', 'serialport', 'bonjour-service', 'zod']) {
      expect(named(agent)).toContain(pinned(name));
    }
    const names = agent.components.map((c) => c.name);
    for (const serverOnly of ['mongoose', 'express', '@temporalio/worker', 'nuxt', 'typescript']) {
      expect(names).not.toContain(serverOnly);
    }
  });
});
