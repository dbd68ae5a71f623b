import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { z } from 'zod';

// The lab router's management API as an OpenWrt router serves it: ubus over HTTP
// JSON-RPC at http://<router>/ubus (uhttpd + rpcd). It runs in the router's
// namespace and really changes the router: it owns the router's dnsmasq and
// starts it again with the DHCP options its uci config says (as OpenWrt's
// dnsmasq init script does on a config change), takes the WAN interface down and
// up as netifd would (the address and default route go and come back), and its
// safe apply rolls a change back by itself unless the same session confirms it.
// Usage: node --import tsx routerEmulator.ts '<Spec as JSON>'

const Spec = z.object({
  address: z.string(),
  users: z.array(z.object({ username: z.string(), password: z.string(), admin: z.boolean() })),
  netmask: z.string(),
  wan: z.object({ device: z.string(), cidr: z.string(), gateway: z.string() }),
  dnsmasq: z.array(z.string()),
});
const spec = Spec.parse(JSON.parse(process.argv[2] ?? ''));

// ---- the router's state ---------------------------------------------------------

type Values = Record<string, string | string[]>;
type Config = Record<string, Record<string, Values>>;
const sectionTypes: Record<string, string> = { lan: 'interface', wan: 'interface' };

let committed: Config = {
  network: {
    lan: { proto: 'static', device: 'br-lan', ipaddr: spec.address, netmask: spec.netmask },
    wan: { proto: 'dhcp', device: spec.wan.device },
  },
  dhcp: { lan: { interface: 'lan', start: '100', limit: '50', leasetime: '1h' } },
};
const clone = (c: Config): Config => JSON.parse(JSON.stringify(c));

interface Session {
  username: string;
  admin: boolean;
  expires: number;
  /** Staged changes per config, as rpcd keeps them per session until commit or apply. */
  staged: Config;
  touched: Set<string>;
}
const SESSION_SECONDS = 300;
const sessions = new Map<string, Session>();
let pending: { sid: string; snapshot: Config; timer: NodeJS.Timeout } | undefined;
let wanSince = Date.now();

// What the box's login may do (its rpcd acl.d file); admin may do everything.
const agentAcls = {
  ubus: {
    session: ['access', 'login'],
    system: ['board'],
    'network.interface.wan': ['status', 'up', 'down'],
    uci: ['get', 'set', 'delete', 'apply', 'confirm', 'rollback', 'commit', 'changes'],
  },
  uci: { dhcp: ['read', 'write'], network: ['read'] },
};
const adminAcls = { ubus: { '*': ['*'] }, uci: { '*': ['read', 'write'] } };

function granted(list: Record<string, string[]>, object: string, what: string) {
  return Object.entries(list).some(
    ([pattern, grants]) =>
      (pattern === '*' || pattern === object) && (grants.includes('*') || grants.includes(what)),
  );
}
const aclsOf = (s: Session) => (s.admin ? adminAcls : agentAcls);

// ---- real effects in the namespace ----------------------------------------------

const run = (command: string, args: string[]) =>
  new Promise<string>((resolve, reject) =>
    execFile(command, args, (err, stdout, stderr) =>
      err
        ? reject(new Error(`${command} ${args.join(' ')}: ${stderr || err.message}`))
        : resolve(stdout),
    ),
  );

let dnsmasq: ChildProcess | undefined;

/** The DHCP options as OpenWrt's init script passes them: each list item as a dhcp-option. */
function dhcpArgs(config: Config): string[] {
  const raw = config.dhcp?.lan?.dhcp_option;
  const options = raw === undefined ? [] : Array.isArray(raw) ? raw : raw.split(/\s+/);
  const has = (tags: string[]) => options.some((o) => tags.includes(o.split(',')[0]!));
  // dnsmasq hands out itself for both by default, as OpenWrt's does.
  return [
    ...options.map((o) => `--dhcp-option=${o}`),
    ...(has(['3', 'option:router', 'router'])
      ? []
      : [`--dhcp-option=option:router,${spec.address}`]),
    ...(has(['6', 'option:dns-server', 'dns-server'])
      ? []
      : [`--dhcp-option=option:dns-server,${spec.address}`]),
  ];
}

async function listening(): Promise<boolean> {
  const out = await run('ss', ['-Hlnu']).catch(() => '');
  return out.includes(`${spec.address}:53`);
}

async function restartDnsmasq(): Promise<void> {
  const old = dnsmasq;
  if (old && old.exitCode === null) {
    const gone = new Promise((resolve) => old.once('exit', resolve));
    old.kill('SIGTERM');
    await gone;
  }
  const args = [...spec.dnsmasq, ...dhcpArgs(committed)];
  dnsmasq = spawn('dnsmasq', args, { stdio: ['ignore', 'inherit', 'inherit'] });
  console.log(`dnsmasq ${dhcpArgs(committed).join(' ')}`);
  const deadline = Date.now() + 10_000;
  while (!(await listening())) {
    if (Date.now() > deadline) throw new Error('dnsmasq did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Reloads what a config change touches (procd's config.change triggers). */
async function reload(configs: Iterable<string>): Promise<void> {
  if ([...configs].includes('dhcp')) await restartDnsmasq();
}

async function wanDown(): Promise<void> {
  await run('ip', ['-4', 'addr', 'flush', 'dev', spec.wan.device]);
  await run('ip', ['link', 'set', 'dev', spec.wan.device, 'down']);
  console.log('wan down');
}

/** netifd bringing the WAN up: the link, the lease's address, the default route. */
async function wanUp(): Promise<void> {
  await run('ip', ['link', 'set', 'dev', spec.wan.device, 'up']);
  await run('ip', ['addr', 'replace', spec.wan.cidr, 'dev', spec.wan.device]);
  await run('ip', ['route', 'replace', 'default', 'via', spec.wan.gateway]);
  wanSince = Date.now();
  console.log('wan up');
}

async function wanStatus() {
  const [link] = JSON.parse(await run('ip', ['-j', 'addr', 'show', 'dev', spec.wan.device])) as {
    operstate: string;
    flags: string[];
    addr_info: { family: string; local: string; prefixlen: number }[];
  }[];
  const v4 = (link?.addr_info ?? []).filter((a) => a.family === 'inet');
  const up = !!link && link.flags.includes('UP') && v4.length > 0;
  return {
    up,
    pending: false,
    available: true,
    autostart: true,
    ...(up ? { uptime: Math.floor((Date.now() - wanSince) / 1000) } : {}),
    l3_device: spec.wan.device,
    proto: 'dhcp',
    device: spec.wan.device,
    'ipv4-address': v4.map((a) => ({ address: a.local, mask: a.prefixlen })),
    route: up ? [{ target: '0.0.0.0', mask: 0, nexthop: spec.wan.gateway }] : [],
    'dns-server': [],
  };
}

// ---- uci --------------------------------------------------------------------------

const OK = 0,
  INVALID_ARGUMENT = 2,
  METHOD_NOT_FOUND = 3,
  NOT_FOUND = 4,
  NO_DATA = 5,
  PERMISSION_DENIED = 6;
type Result = [number] | [number, unknown];

/** The config as this session sees it: committed plus its staged changes. */
function view(s: Session): Config {
  const merged = clone(committed);
  for (const [config, sections] of Object.entries(s.staged)) {
    for (const [section, values] of Object.entries(sections)) {
      const target = (merged[config] ??= {})[section] ?? {};
      for (const [key, value] of Object.entries(values)) {
        if (value === '\u0000delete') delete target[key];
        else target[key] = value;
      }
      merged[config]![section] = target;
    }
  }
  return merged;
}

function stagedInto(s: Session, into: Config, configs: Iterable<string>): void {
  const merged = view(s);
  for (const config of configs) into[config] = merged[config] ?? {};
}

async function uci(s: Session, method: string, args: Record<string, unknown>): Promise<Result> {
  const config = typeof args.config === 'string' ? args.config : undefined;
  const section = typeof args.section === 'string' ? args.section : undefined;
  const may = (what: 'read' | 'write') => !!config && granted(aclsOf(s).uci, config, what);
  switch (method) {
    case 'get': {
      if (!config) return [INVALID_ARGUMENT];
      if (!may('read')) return [PERMISSION_DENIED];
      const data = view(s)[config];
      if (!data) return [NOT_FOUND];
      const dump = (name: string, values: Values) => ({
        '.anonymous': false,
        '.type': sectionTypes[name] ?? config,
        '.name': name,
        ...values,
      });
      if (!section) {
        return [
          OK,
          { values: Object.fromEntries(Object.entries(data).map(([n, v]) => [n, dump(n, v)])) },
        ];
      }
      const values = data[section];
      if (!values) return [NOT_FOUND];
      if (typeof args.option === 'string') {
        const value = values[args.option];
        return value === undefined ? [NOT_FOUND] : [OK, { value }];
      }
      return [OK, { values: dump(section, values) }];
    }
    case 'set':
    case 'delete': {
      if (!config || !section) return [INVALID_ARGUMENT];
      if (!may('write')) return [PERMISSION_DENIED];
      if (!view(s)[config]?.[section]) return [NOT_FOUND];
      const staged = ((s.staged[config] ??= {})[section] ??= {});
      if (method === 'set') {
        const values = args.values;
        if (!values || typeof values !== 'object') return [INVALID_ARGUMENT];
        for (const [key, value] of Object.entries(values)) {
          if (Array.isArray(value)) staged[key] = value.map(String);
          else staged[key] = String(value);
        }
      } else {
        const option = typeof args.option === 'string' ? args.option : undefined;
        if (!option || view(s)[config]![section]![option] === undefined) return [NOT_FOUND];
        staged[option] = '\u0000delete';
      }
      s.touched.add(config);
      return [OK];
    }
    case 'commit': {
      if (pending) return [PERMISSION_DENIED];
      if (!config) return [INVALID_ARGUMENT];
      if (!may('write')) return [PERMISSION_DENIED];
      stagedInto(s, committed, [config]);
      delete s.staged[config];
      s.touched.delete(config);
      await reload([config]);
      return [OK];
    }
    case 'apply': {
      const rollback = args.rollback === true;
      if (pending && rollback) return [PERMISSION_DENIED];
      const touched = [...s.touched];
      if (touched.length === 0) return [NO_DATA];
      if (touched.some((c) => !granted(aclsOf(s).uci, c, 'write'))) return [PERMISSION_DENIED];
      const snapshot = clone(committed);
      stagedInto(s, committed, touched);
      s.staged = {};
      s.touched.clear();
      await reload(touched);
      if (rollback) {
        const timeout = typeof args.timeout === 'number' ? args.timeout : 30;
        const sid = sessionIdOf(s);
        const timer = setTimeout(() => void revert(touched), timeout * 1000);
        pending = { sid, snapshot, timer };
        console.log(`apply with rollback in ${timeout} s`);
      }
      return [OK];
    }
    case 'confirm':
    case 'rollback': {
      if (!pending) return [NO_DATA];
      if (pending.sid !== sessionIdOf(s)) return [PERMISSION_DENIED];
      if (method === 'confirm') {
        clearTimeout(pending.timer);
        pending = undefined;
        console.log('confirmed');
      } else {
        await revert(Object.keys(committed));
      }
      return [OK];
    }
    default:
      return [METHOD_NOT_FOUND];
  }
}

async function revert(configs: string[]): Promise<void> {
  if (!pending) return;
  clearTimeout(pending.timer);
  committed = pending.snapshot;
  pending = undefined;
  console.log('rolled back');
  await reload(configs);
}

function sessionIdOf(s: Session): string {
  return [...sessions].find(([, v]) => v === s)![0];
}

// ---- JSON-RPC over HTTP, as uhttpd's ubus handler -----------------------------------

const board = {
  kernel: '5.15.167',
  hostname: 'OpenWrt',
  system: 'ARMv7 Processor rev 5 (v7l)',
  model: 'GL.iNet GL-MT6000',
  board_name: 'glinet,gl-mt6000',
  release: {
    distribution: 'OpenWrt',
    version: '23.05.5',
    revision: 'r24106-10cc5fcd00',
    target: 'mediatek/filogic',
    description: 'OpenWrt 23.05.5 r24106-10cc5fcd00',
  },
};

async function call(sid: string, object: string, method: string, args: Record<string, unknown>) {
  if (object === 'session' && method === 'login') {
    const user = spec.users.find(
      (u) => u.username === args.username && u.password === args.password,
    );
    if (!user) return { result: [PERMISSION_DENIED] };
    const id = randomBytes(16).toString('hex');
    const session: Session = {
      username: user.username,
      admin: user.admin,
      expires: Date.now() + SESSION_SECONDS * 1000,
      staged: {},
      touched: new Set(),
    };
    sessions.set(id, session);
    const acls = aclsOf(session);
    return {
      result: [
        OK,
        {
          ubus_rpc_session: id,
          timeout: SESSION_SECONDS,
          expires: SESSION_SECONDS,
          acls,
          data: { username: user.username },
        },
      ],
    };
  }
  const session = sessions.get(sid);
  if (session && session.expires < Date.now()) sessions.delete(sid);
  // uhttpd checks the session's ubus ACL before the call reaches the object.
  if (!sessions.has(sid) || !granted(aclsOf(session!).ubus, object, method)) {
    return { error: { code: -32002, message: 'Access denied' } };
  }
  session!.expires = Date.now() + SESSION_SECONDS * 1000;
  if (object === 'system' && method === 'board') return { result: [OK, board] };
  if (object === 'uci') return { result: await uci(session!, method, args) };
  const iface =
    object === 'network.interface' ? args.interface : object.replace(/^network\.interface\./, '');
  if (object.startsWith('network.interface')) {
    if (iface !== 'wan') return { result: [NOT_FOUND] };
    if (method === 'status') return { result: [OK, await wanStatus()] };
    if (method === 'down') return (await wanDown(), { result: [OK] });
    if (method === 'up') return (await wanUp(), { result: [OK] });
    return { result: [METHOD_NOT_FOUND] };
  }
  return { error: { code: -32000, message: 'Object not found' } };
}

const Request = z.object({
  jsonrpc: z.literal('2.0'),
  id: z.unknown(),
  method: z.literal('call'),
  params: z.tuple([z.string(), z.string(), z.string(), z.record(z.string(), z.unknown())]),
});

const server = http.createServer((req, res) => {
  const reply = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (req.url !== '/ubus' || req.method !== 'POST') return reply(404, { error: 'Not found' });
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    let parsed: z.infer<typeof Request>;
    try {
      parsed = Request.parse(JSON.parse(body));
    } catch {
      return reply(200, {
        jsonrpc: '2.0',
        id: null,
        error: { code: -32600, message: 'Invalid request' },
      });
    }
    const [sid, object, method, args] = parsed.params;
    call(sid, object, method, args).then(
      (answer) => reply(200, { jsonrpc: '2.0', id: parsed.id, ...answer }),
      (err: Error) => {
        console.error(`${object} ${method}: ${err.message}`);
        reply(200, { jsonrpc: '2.0', id: parsed.id, result: [9] });
      },
    );
  });
});

restartDnsmasq().then(
  () => server.listen(80, spec.address, () => console.log(`ubus on ${spec.address}:80`)),
  (err: Error) => {
    console.error(err.message);
    process.exit(1);
  },
);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    dnsmasq?.kill('SIGTERM');
    process.exit(0);
  });
}
