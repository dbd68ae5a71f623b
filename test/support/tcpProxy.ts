import net from 'node:net';
import { Transform } from 'node:stream';

// A loopback TCP proxy that a test can cut and restore, to take a server away
// from one client while everything else keeps talking to it; or silence, as a
// line that stops carrying packets does: no FIN, no RST, nothing either way.

export interface TcpProxy {
  address: string;
  /** Drops every connection and refuses new ones until restored. */
  cut(): void;
  /** Forwards nothing either way, and holds new connections open without an answer. */
  silence(): void;
  /** Undoes cut() and silence(). */
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const [host, port] = [
    target.slice(0, target.lastIndexOf(':')),
    target.slice(target.lastIndexOf(':') + 1),
  ];
  const open = new Set<net.Socket>();
  let cut = false;
  let silent = false;
  /** Connections that came while silent: nothing behind them. */
  const held = new Set<net.Socket>();
  // Passes bytes on only while the line carries them.
  const line = () =>
    new Transform({
      transform: (chunk, _encoding, done) => done(null, silent ? undefined : chunk),
    });
  const server = net.createServer((client) => {
    if (cut) return client.destroy();
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => undefined);
    if (silent) {
      held.add(client);
      client.on('close', () => held.delete(client));
      return void client.resume();
    }
    const upstream = net.connect(Number(port), host);
    open.add(upstream);
    upstream.on('close', () => open.delete(upstream));
    upstream.on('error', () => undefined);
    client.pipe(line()).pipe(upstream).pipe(line()).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: own } = server.address() as net.AddressInfo;
  const dropAll = () => {
    for (const socket of open) socket.destroy();
  };
  return {
    address: `127.0.0.1:${own}`,
    cut() {
      cut = true;
      dropAll();
    },
    silence() {
      silent = true;
    },
    restore() {
      cut = false;
      silent = false;
      // Their clients would wait out their own timeouts: let them try again at once.
      for (const socket of held) socket.destroy();
    },
    async close() {
      dropAll();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
