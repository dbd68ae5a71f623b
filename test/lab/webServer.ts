import http from 'node:http';
import { handleSpeedTest } from '../../api/routes/speedTest';

// The lab internet's web site: answers every request on the given address, port 80.
// /speed-test is the cloud's speed-test route, the same handlers without the device
// token: the lab's diagnostics run with no API behind the cloud's front door, so the
// box's throughput checks measure against this server (throughput.url).
// Usage: node --import tsx webServer.ts <address>

const speedTestPath = '/speed-test';

const address = process.argv[2] ?? '127.0.0.1';
http
  .createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://lab').pathname === speedTestPath) {
      handleSpeedTest(req, res);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain', server: 'lab-web/1.0' });
    res.end('Example Domain\n');
  })
  .listen(80, address, () => console.log(`web server on ${address}`));
