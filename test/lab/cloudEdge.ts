import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';

// The cloud's front door in the lab's internet: TLS 1.3 terminates here, as at the
// production load balancer, and the decrypted stream goes on to the API on the
// host through a unix socket in the lab's directory (never a real interface).
// Usage: node --import tsx cloudEdge.ts '{"address","port","cert","key","socket"}'

const { address, port, cert, key, socket } = JSON.parse(process.argv[2] ?? '{}') as {
  address: string;
  port: number;
  cert: string;
  key: string;
  socket: string;
};

tls
  .createServer(
    { cert: readFileSync(cert), key: readFileSync(key), minVersion: 'TLSv1.3' },
    (client) => {
      const api = net.connect(socket);
      client.pipe(api).pipe(client);
      const close = () => {
        client.destroy();
        api.destroy();
      };
      client.on('error', close);
      api.on('error', close);
      client.on('close', close);
      api.on('close', close);
    },
  )
  .on('tlsClientError', (err) => console.log(`refused a TLS client: ${err.message}`))
  .listen(port, address, () => console.log(`cloud edge on ${address}:${port}`));
