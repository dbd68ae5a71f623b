import http from 'node:http';

// A captive portal's web server, as a hotel or guest-Wi-Fi router runs one:
// every page redirects to its login page. Usage: node --import tsx portalServer.ts <address>

const address = process.argv[2] ?? '127.0.0.1';
const login = `http://${address}/login`;
http
  .createServer((req, res) => {
    if (req.url === '/login') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        '<html><title>Guest access</title><form>Accept the terms to continue</form></html>\n',
      );
      return;
    }
    res.writeHead(302, { location: login, 'content-type': 'text/html' });
    res.end(`<a href="${login}">Log in</a>\n`);
  })
  .listen(80, address, () => console.log(`portal on ${address}`));
