import { rmSync } from 'node:fs';

export default async function globalTeardown() {
  const servers = globalThis.zenTestServers;
  if (!servers) return;
  await Promise.all(servers.services.map((s) => s.stop()));
  rmSync(servers.dir, { recursive: true, force: true });
}
