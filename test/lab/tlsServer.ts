import { readFileSync } from 'node:fs';
import https from 'node:https';

// The lab internet's TLS services (the web site's HTTPS, DNS over TLS at the
// resolver): each listener completes a handshake with its certificate and
// answers HTTP. Usage: node --import tsx tlsServer.ts '[{"address","port","cert","key"}]'

interface Listener {
  address: string;
  port: number;
  cert: string;
  key: string;
}

for (const { address, port, cert, key } of JSON.parse(process.argv[2]!) as Listener[]) {
  https
    .createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('Example Domain\n');
    })
    .listen(port, address, () => console.log(`TLS on ${address}:${port}`));
}
