// What an ordinary computer in the office gets: a lease from the router's DHCP,
// the resolver it hands out, and whatever that reaches. A case is about the
// office's network, so every whole case also asks the office PC.

export interface OfficePcView {
  /** A name resolves through the resolver DHCP gave the PC. */
  dns: boolean;
  /** An internet address answers ping. */
  internet: boolean;
  /** The web site loads by name. */
  http: boolean;
}

/** Runs inside the PC's namespace: resolve through its own resolv.conf, then fetch by name. */
const probe = `
const { Resolver } = require('node:dns/promises');
const http = require('node:http');
const fs = require('node:fs');
const [resolvConf, name] = process.argv.slice(1);
const servers = fs.readFileSync(resolvConf, 'utf8').split('\\n')
  .map((l) => /^nameserver\\s+(\\S+)/.exec(l)?.[1]).filter(Boolean);
const resolver = new Resolver({ timeout: 2000, tries: 2 });
(async () => {
  let address;
  try { if (servers.length) { resolver.setServers(servers); [address] = await resolver.resolve4(name); } } catch {}
  const web = address && await new Promise((resolve) => {
    const req = http.get({ host: address, path: '/', headers: { host: name }, timeout: 3000 }, (res) => { res.resume(); resolve(res.statusCode === 200); });
    req.on('timeout', () => req.destroy()); req.on('error', () => resolve(false));
  });
  console.log(JSON.stringify({ dns: Boolean(address), http: Boolean(web) }));
})();
`;

export async function officePcView(
  inPc: (command: string, args: string[]) => Promise<string>,
  resolvConf: string,
  name: string,
  target: string,
): Promise<OfficePcView> {
  const out = await inPc(process.execPath, ['-e', probe, resolvConf, name]);
  const { dns, http } = JSON.parse(out.trim().split('\n').pop()!) as {
    dns: boolean;
    http: boolean;
  };
  const internet = await inPc('ping', ['-c', '5', '-i', '0.2', '-W', '1', target]).then(
    () => true,
    () => false,
  );
  return { dns, internet, http };
}
