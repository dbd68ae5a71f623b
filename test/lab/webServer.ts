import http from 'node:http';

// The lab internet's web site: answers every request on the given address, port 80.
// Usage: node --import tsx webServer.ts <address>

const address = process.argv[2] ?? '127.0.0.1';
http
  .createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', server: 'lab-web/1.0' });
    res.end('Example Domain\n');
  })
  .listen(80, address, () => console.log(`web server on ${address}`));
