import { execFile } from 'node:child_process';
import http from 'node:http';
import { z } from 'zod';

// A Shelly Gen2 smart plug on the lab's LAN (Switch.Set, Switch.GetStatus over
// HTTP RPC, switch 0). Its "socket" powers one lab namespace: off makes that
// namespace drop every packet; on starts it clean, so a hang (nft table
// zen_hang) is gone while its settings (zen_fault) stay.
// Usage: node --import tsx smartPlugEmulator.ts '{"plugs":[{"address":..,"namespace":..}]}'

const Spec = z.object({
  plugs: z.array(z.object({ address: z.string(), namespace: z.string(), name: z.string() })),
});
const spec = Spec.parse(JSON.parse(process.argv[2] ?? ''));

// The script goes as an argument: `nft -f -` on a socket stdin reads nothing.
const nft = (namespace: string, script: string) =>
  new Promise<void>((resolve) => {
    execFile('ip', ['netns', 'exec', namespace, 'nft', script], (err) => {
      if (err) console.error(`nft in ${namespace}: ${err.message}`);
      resolve();
    });
  });

const dropAll = (family: string, hooks: string[]) =>
  `table ${family} zen_power {\n${hooks
    .map((hook) => `  chain ${hook} { type filter hook ${hook} priority -300; policy drop; }\n`)
    .join('')}}\n`;

function powerOff(namespace: string) {
  return nft(
    namespace,
    dropAll('inet', ['input', 'forward', 'output']) + dropAll('arp', ['input', 'output']),
  );
}

async function powerOn(namespace: string) {
  for (const table of ['inet zen_power', 'arp zen_power', 'inet zen_hang', 'arp zen_hang']) {
    await nft(namespace, `table ${table}\ndelete table ${table}\n`);
  }
}

for (const plug of spec.plugs) {
  let output = true;
  let timer: NodeJS.Timeout | undefined;
  const set = async (on: boolean) => {
    clearTimeout(timer);
    timer = undefined;
    const was = output;
    if (on !== output) await (on ? powerOn(plug.namespace) : powerOff(plug.namespace));
    output = on;
    console.log(`${plug.name}: ${on ? 'on' : 'off'}`);
    return was;
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://plug');
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', server: 'ShellyPlugSG3' });
      res.end(JSON.stringify(body));
    };
    const id = url.searchParams.get('id') ?? '0';
    if (id !== '0')
      return reply(400, { code: -105, message: `Argument 'id', value ${id} not found!` });
    if (url.pathname === '/rpc/Switch.GetStatus') {
      return reply(200, {
        id: 0,
        source: 'http',
        output,
        apower: output ? 6.4 : 0,
        voltage: 229.8,
      });
    }
    if (url.pathname === '/rpc/Switch.Set') {
      const on = url.searchParams.get('on');
      if (on !== 'true' && on !== 'false')
        return reply(400, { code: -103, message: "Missing required argument 'on'!" });
      const toggleAfter = Number(url.searchParams.get('toggle_after') ?? 0);
      void set(on === 'true').then((wasOn) => {
        if (toggleAfter > 0) timer = setTimeout(() => void set(on !== 'true'), toggleAfter * 1000);
        reply(200, { was_on: wasOn });
      });
      return;
    }
    if (url.pathname === '/rpc/Shelly.GetDeviceInfo') {
      return reply(200, {
        id: `shellyplugsg3-${plug.name}`,
        model: 'S3PL-00112EU',
        gen: 3,
        app: 'PlugSG3',
      });
    }
    reply(404, { code: 404, message: 'No handler for ' + url.pathname });
  });
  server.listen(80, plug.address, () => console.log(`${plug.name} plug on ${plug.address}`));
}
