import { readFileSync } from 'node:fs';
import net from 'node:net';
import { freePort } from '../../temporal-config/process';

// Ports taken free now and bound later by a server must stay clear of the range outgoing
// connections take their local ports from, or a busy run loses the race (a Temporal server
// once found its frontend port taken by some connection).

const ephemeralStart = Number(
  readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0],
);

test('free ports are drawn below the ephemeral range, never twice, and can be bound', async () => {
  const ports: number[] = [];
  for (let i = 0; i < 200; i += 1) ports.push(await freePort());
  expect(new Set(ports).size).toBe(ports.length);
  for (const port of ports) {
    expect(port).toBeGreaterThanOrEqual(20_000);
    expect(port).toBeLessThan(Math.min(32_768, ephemeralStart));
  }
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(ports[0], '127.0.0.1', resolve));
  await new Promise((resolve) => server.close(resolve));
});

test('a port something listens on is not handed out', async () => {
  const held: net.Server[] = [];
  const heldPorts = new Set<number>();
  try {
    // Hold a block of the range; none of it may come back as free.
    for (let port = 20_000; port < 20_200; port += 1) {
      const server = net.createServer();
      const bound = await new Promise<boolean>((resolve) => {
        server.once('error', () => resolve(false));
        server.listen(port, '127.0.0.1', () => resolve(true));
      });
      if (bound) {
        held.push(server);
        heldPorts.add(port);
      }
    }
    for (let i = 0; i < 300; i += 1) expect(heldPorts.has(await freePort())).toBe(false);
  } finally {
    await Promise.all(held.map((s) => new Promise((resolve) => s.close(resolve))));
  }
});
