import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AgentConfig } from '../../agent/config';
import { MonitorConfig } from '../../agent/monitor/config';
import { makeCa, onDisk, type KeyPair } from '../support/testCa';
import {
  cloud,
  internet,
  ipv6,
  lan,
  lte,
  roles,
  tsx,
  type DhcpPool,
  type LabShell,
  type Role,
} from './addresses';
import { addIpv6, addPrinter, waitForPiIpv6 } from './lanTopology';
import { officePcView, type OfficePcView } from './officePc';
import { labNmcli, nmPaths, startPiNetworkManager } from './piNetworkManager';
import { forgetLabOwner, recordLabOwner, removeNamespaces, sweepAbandonedLabs } from './labOwners';
import { daemon, exec, type Daemon } from './shell';

// A small office network built from network namespaces, one lab per test:
//
//   pi ─┐                                   ┌─ 198.51.100.20, 203.0.113.20 (ping)
//   pc ─┤                                   ├─ 203.0.113.53 (DNS), 198.51.100.80 (web)
//  plug ┼─ switch ─ router ─ modem ─ isp ─────┼─ 203.0.113.10 cloud.example.net (the API)
//       │  192.168.1.0/24  192.168.100.0/24 └─ lte ─ pi (wwan0, 100.64.0.0/24)
//
// The router runs dnsmasq (DHCP and DNS) and NATs out through the modem; the
// modem's management address is 192.168.100.1; the ISP hosts a small
// internet on the documentation ranges, the cloud among it. The plug namespace
// is a Shelly smart plug for the modem (.50) and one for the router (.51); the
// pc is an ordinary office computer. The cloud's TLS front door listens in the
// ISP's namespace and hands the stream to the API on the host's loopback
// through a unix socket: the box reaches the cloud only across the office
// network or the LTE carrier, exactly where the faults are.

const repoRoot = path.resolve(__dirname, '..', '..');

const defaultPool: DhcpPool = { start: '192.168.1.100', end: '192.168.1.150' };

export class Lab implements LabShell {
  readonly prefix = `zl${randomBytes(3).toString('hex')}`;
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'zen-lab-'));
  readonly configPath = path.join(this.dir, 'agent.json');
  private ownResolvConf = path.join(this.dir, 'pi-resolv.conf');
  private pcResolvConf = path.join(this.dir, 'pc-resolv.conf');
  /** The lab's CA (the box trusts it) and the cloud's certificate from it. */
  readonly ca = makeCa(this.dir, 'lab-ca');
  readonly cloudCertificate = this.ca.issue([cloud.name]);
  /** The web site's and the resolver's TLS certificates (tcp_tls). */
  private readonly webCertificate = this.ca.issue([internet.webName]);
  private readonly resolverCertificate = this.ca.issue([internet.resolver]);
  /** The router's DHCP pool, as its dnsmasq was last started. */
  dhcpPool = defaultPool;
  /** The Pi's system bus: NetworkManager's when it runs, else nothing listens there. */
  readonly busAddress = `unix:path=${nmPaths(this.dir).socket}`;
  /** NetworkManager owns the Pi's eth0 (as on Raspberry Pi OS Bookworm). */
  networkManager = false;
  /** The router serves its OpenWrt API (routerEmulator.ts) and the box has a login for it. */
  routerApi = false;
  /** The router API's logins: the box's own (its ACL) and an administrator's (a person in LuCI). */
  readonly routerLogins = {
    agent: { username: 'zen-agent', password: randomBytes(12).toString('hex') },
    admin: { username: 'root', password: randomBytes(12).toString('hex') },
  };
  private readonly daemons = new Map<string, Daemon>();
  private created: string[] = [];

  ns(role: Role): string {
    return `${this.prefix}-${role}`;
  }

  /** Runs a command inside one of the lab's namespaces. */
  in(role: Role, command: string, args: string[]): Promise<string> {
    return exec('ip', ['netns', 'exec', this.ns(role), command, ...args]);
  }

  /** Loads an nft script in one transaction (as an argument: `nft -f -` on a socket stdin reads nothing). */
  nft(role: Role, script: string): Promise<string> {
    return this.in(role, 'nft', [script]);
  }

  /** The resolv.conf the Pi uses: NM's own when NM runs. */
  get resolvConf(): string {
    return this.networkManager ? nmPaths(this.dir).resolvConf : this.ownResolvConf;
  }

  /** Starts a lab process inside a namespace; `stopProcess(name)` ends it, `destroy` ends them all. */
  start(name: string, role: Role, command: string, args: string[]): Daemon {
    const d = daemon('ip', ['netns', 'exec', this.ns(role), command, ...args]);
    this.daemons.set(name, d);
    return d;
  }

  async stopProcess(name: string): Promise<void> {
    await this.daemons.get(name)?.stop();
  }

  /** Builds the network and has the Pi ask for its lease, as it does when it boots. */
  async build({
    dhcpPool = defaultPool,
    networkManager = false,
    routerApi = false,
  }: LabOptions = {}): Promise<void> {
    this.recordOwner();
    for (const role of roles) {
      await exec('ip', ['netns', 'add', this.ns(role)]);
      this.created.push(this.ns(role));
      await this.in(role, 'ip', ['link', 'set', 'lo', 'up']);
      await this.in(role, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
    }
    await this.in('sw', 'ip', ['link', 'add', 'br0', 'type', 'bridge']);
    await this.in('sw', 'ip', ['link', 'set', 'br0', 'up']);
    await this.wire('pi', 'eth0', 'sw', 'pi', { bridge: true });
    await this.wire('rt', 'lan0', 'sw', 'rt', { bridge: true });
    await this.wire('plug', 'eth0', 'sw', 'plug', { bridge: true });
    await this.wire('pc', 'eth0', 'sw', 'pc', { bridge: true });
    await this.wire('rt', 'wan0', 'mdm', 'lan0');
    await this.wire('mdm', 'wan0', 'isp', 'cust0');
    await this.wire('lte', 'core0', 'isp', 'lte0');
    await this.wire('pi', 'wwan0', 'lte', 'ran0');

    const addr = (role: Role, cidr: string, dev: string) =>
      this.in(role, 'ip', ['addr', 'add', cidr, 'dev', dev]);
    const route = (role: Role, ...args: string[]) => this.in(role, 'ip', ['route', 'add', ...args]);
    await addr('rt', `${lan.router}/24`, 'lan0');
    await addr('rt', `${lan.routerWan}/24`, 'wan0');
    await route('rt', 'default', 'via', lan.modem);
    await addr('mdm', `${lan.modem}/24`, 'lan0');
    await addr('mdm', '203.0.113.2/30', 'wan0');
    await route('mdm', 'default', 'via', '203.0.113.1');
    await addr('isp', '203.0.113.1/30', 'cust0');
    await addr('isp', '203.0.113.5/30', 'lte0');
    const hosted = [...internet.targets, internet.resolver, internet.web, internet.ntp];
    for (const a of [...hosted, cloud.address]) {
      // On loopback: the kernel here has no dummy interfaces.
      await addr('isp', `${a}/32`, 'lo');
    }
    await route('isp', '192.168.100.0/24', 'via', '203.0.113.2');
    await addr('lte', '203.0.113.6/30', 'core0');
    await addr('lte', `${lte.gateway}/24`, 'ran0');
    await route('lte', 'default', 'via', '203.0.113.5');
    await addr('plug', `${lan.modemPlug}/24`, 'eth0');
    await addr('plug', `${lan.routerPlug}/24`, 'eth0');
    await route('plug', 'default', 'via', lan.router);
    await addr('pi', `${lte.pi}/24`, 'wwan0');
    const masquerade = (dev: string) =>
      `table ip nat {\n chain post {\n  type nat hook postrouting priority 100;\n  oifname "${dev}" masquerade\n }\n}\n`;
    await this.nft('rt', masquerade('wan0'));
    await this.nft('lte', masquerade('core0'));
    await addIpv6(this, { networkManager });

    await this.startIsp();
    await this.startCarrierResolver();
    if (routerApi) await this.startRouterApi(dhcpPool);
    else await this.startRouterDnsmasq(dhcpPool);
    await this.leasePc();
    const plugs = [
      { name: 'modem', address: lan.modemPlug, namespace: this.ns('mdm') },
      { name: 'router', address: lan.routerPlug, namespace: this.ns('rt') },
    ];
    this.start('plugs', 'plug', process.execPath, [
      ...tsx,
      path.join(__dirname, 'smartPlugEmulator.ts'),
      JSON.stringify({ plugs }),
    ]);
    await this.waitForPort('isp', internet.web, 80);
    await this.waitForPort('isp', internet.web, 443);
    await this.waitForPort('isp', internet.resolver, 853);
    await this.waitForPort('isp', internet.ntp, 123, 'udp');
    await this.waitForPort('plug', lan.routerPlug, 80);
    await addPrinter(this);

    if (networkManager) {
      this.networkManager = true;
      await startPiNetworkManager(
        this.dir,
        (name, command, args) => this.start(name, 'pi', command, args),
        () => this.logs(),
      );
      await this.waitForPiConnected();
    } else {
      writeFileSync(this.resolvConf, '');
      if (!(await this.leasePi())) await this.selfAssignPi();
      await waitForPiIpv6(this);
    }
    this.writeAgentConfig();
  }

  /** nmcli inside the Pi on the lab's bus (root unless a uid is given). */
  nmcli(args: string[], options?: { uid?: number }): Promise<string> {
    return labNmcli(this.ns('pi'), this.dir, args, options);
  }

  /** Until NetworkManager has activated eth0 with a lease from the router. */
  async waitForPiConnected(): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const status = await this.nmcli(['-t', '-f', 'DEVICE,STATE', 'device', 'status']).catch(
        (err: Error) => err.message,
      );
      if (/^eth0:connected$/m.test(status)) return;
      if (Date.now() > deadline)
        throw new Error(`NetworkManager did not connect eth0: ${status}\n${this.logs()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** A veth pair between two namespaces; `bridge` puts b's end on its br0. */
  async wire(a: Role, aDev: string, b: Role, bDev: string, { bridge = false } = {}) {
    await exec('ip', [
      ...['-n', this.ns(a), 'link', 'add', aDev, 'type', 'veth'],
      ...['peer', 'name', bDev, 'netns', this.ns(b)],
    ]);
    if (bridge) await this.in(b, 'ip', ['link', 'set', bDev, 'master', 'br0']);
    await this.in(a, 'ip', ['link', 'set', aDev, 'up']);
    await this.in(b, 'ip', ['link', 'set', bDev, 'up']);
  }

  private async startIsp() {
    this.start('isp-dns', 'isp', 'dnsmasq', [
      ...['--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts'],
      ...['--user=root', '--bind-interfaces', `--listen-address=${internet.resolver}`],
      `--pid-file=${path.join(this.dir, 'isp-dns.pid')}`,
      `--address=/example.com/${internet.web}`,
      `--address=/example.com/${ipv6.web}`,
      `--address=/${cloud.name}/${cloud.address}`,
    ]);
    this.start('web', 'isp', process.execPath, [
      ...tsx,
      path.join(__dirname, 'webServer.ts'),
      internet.web,
    ]);
    const tlsListeners = [
      { address: internet.web, port: 443, ...onDisk(this.webCertificate) },
      { address: internet.resolver, port: 853, ...onDisk(this.resolverCertificate) },
    ];
    this.start('tls', 'isp', process.execPath, [
      ...tsx,
      path.join(__dirname, 'tlsServer.ts'),
      JSON.stringify(tlsListeners),
    ]);
    this.startSntp(0);
  }

  startSntp(skewSeconds: number) {
    this.start('sntp', 'isp', process.execPath, [
      ...tsx,
      path.join(__dirname, 'sntpServer.ts'),
      internet.ntp,
      String(skewSeconds),
    ]);
  }

  /** The carrier's resolver on its gateway, forwarding to the internet's DNS. */
  private async startCarrierResolver() {
    this.start('lte-dns', 'lte', 'dnsmasq', [
      ...['--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts'],
      ...['--user=root', '--bind-interfaces', `--listen-address=${lte.gateway}`],
      `--pid-file=${path.join(this.dir, 'lte-dns.pid')}`,
      `--server=${internet.resolver}`,
    ]);
    await this.waitForPort('lte', lte.gateway, 53, 'udp');
  }

  /** The office PC boots and takes a lease, with its own resolv.conf. */
  private async leasePc(): Promise<void> {
    const hook = path.join(repoRoot, 'agent', 'linux', 'udhcpc-hook.sh');
    writeFileSync(this.pcResolvConf, '');
    // A full pool leaves the PC without a lease, as it leaves the Pi.
    await exec('ip', [
      ...['netns', 'exec', this.ns('pc'), 'env', `ZEN_RESOLV_CONF=${this.pcResolvConf}`],
      ...['udhcpc', '-f', '-q', '-n', '-i', 'eth0', '-t', '4', '-T', '1', '-s', hook],
    ]).catch(() => undefined);
  }

  /**
   * The office PC restarts (or reconnects): its address and resolvers go, and it asks
   * DHCP again, taking whatever the LAN hands it now.
   */
  async restartOfficePc(): Promise<void> {
    await this.in('pc', 'ip', ['-4', 'addr', 'flush', 'dev', 'eth0']);
    await this.leasePc();
  }

  /** What the office PC gets and reaches now. */
  officePc(): Promise<OfficePcView> {
    return officePcView(
      (command, args) => this.in('pc', command, args),
      this.pcResolvConf,
      internet.webName,
      internet.targets[0]!,
    );
  }

  /**
   * Starts the router's dnsmasq with a DHCP pool and the leases other devices hold; it hands
   * out the router itself as gateway and resolver unless `handedOut` names others.
   */
  async startRouterDnsmasq(
    pool: DhcpPool,
    extraArgs: string[] = [],
    handedOut: { gateway?: string; dns?: string[] } = {},
  ): Promise<void> {
    this.start('router-dnsmasq', 'rt', 'dnsmasq', [
      ...this.routerDnsmasqArgs(pool),
      `--dhcp-option=option:router,${handedOut.gateway ?? lan.router}`,
      `--dhcp-option=option:dns-server,${(handedOut.dns ?? [lan.router]).join(',')}`,
      ...extraArgs,
    ]);
    await this.waitForPort('rt', lan.router, 53, 'udp');
  }

  /** The router's OpenWrt API (routerEmulator.ts): it owns the router's dnsmasq from then on. */
  private async startRouterApi(pool: DhcpPool): Promise<void> {
    this.routerApi = true;
    writeFileSync(this.routerPasswordFile, this.routerLogins.agent.password, { mode: 0o600 });
    const spec = {
      address: lan.router,
      netmask: '255.255.255.0',
      users: [
        { ...this.routerLogins.agent, admin: false },
        { ...this.routerLogins.admin, admin: true },
      ],
      wan: { device: 'wan0', cidr: `${lan.routerWan}/24`, gateway: lan.modem },
      dnsmasq: this.routerDnsmasqArgs(pool),
    };
    this.start('router-api', 'rt', process.execPath, [
      ...tsx,
      path.join(__dirname, 'routerEmulator.ts'),
      JSON.stringify(spec),
    ]);
    await this.waitForPort('rt', lan.router, 80);
    await this.waitForPort('rt', lan.router, 53, 'udp');
  }

  get routerPasswordFile(): string {
    return path.join(this.dir, 'router-password');
  }

  /** Every device that renews its lease now gets what the router's DHCP hands out now. */
  async renewLeases(): Promise<void> {
    await this.leasePc();
    if (!this.networkManager) await this.leasePi();
  }

  /** The router's dnsmasq arguments but for the gateway and resolver it hands out. */
  private routerDnsmasqArgs(pool: DhcpPool): string[] {
    this.dhcpPool = pool;
    const leaseFile = path.join(this.dir, 'router.leases');
    const expiry = Math.floor(Date.now() / 1000) + 86_400;
    // A restart keeps the leases dnsmasq wrote, as a router's reboot keeps its lease table.
    if (!existsSync(leaseFile))
      writeFileSync(
        leaseFile,
        (pool.leases ?? []).map(([mac, ip], i) => `${expiry} ${mac} ${ip} device${i} *\n`).join(''),
      );
    return [
      ...['--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts'],
      ...['--user=root', '--bind-interfaces', '--interface=lan0', '--except-interface=lo'],
      `--pid-file=${path.join(this.dir, 'router-dnsmasq.pid')}`,
      `--dhcp-leasefile=${leaseFile}`,
      `--dhcp-range=${pool.start},${pool.end},255.255.255.0,1h`,
      `--server=${internet.resolver}`,
      '--dhcp-authoritative',
      '--no-ping',
    ];
  }

  /** The Pi's operating system asking for a lease, with the agent's own DHCP hook. */
  private async leasePi(): Promise<boolean> {
    const hook = path.join(repoRoot, 'agent', 'linux', 'udhcpc-hook.sh');
    const out = await exec('ip', [
      ...['netns', 'exec', this.ns('pi'), 'env', `ZEN_RESOLV_CONF=${this.resolvConf}`],
      ...['udhcpc', '-f', '-q', '-n', '-i', 'eth0', '-t', '4', '-T', '1', '-s', hook],
    ]).catch(() => '');
    return /bound/.test(out);
  }

  /** What dhcpcd's IPv4LL does when no lease comes: a self-assigned address. */
  private async selfAssignPi(): Promise<void> {
    await this.in('pi', 'ip', ['-4', 'addr', 'flush', 'dev', 'eth0']);
    await this.in('pi', 'ip', ['addr', 'add', '169.254.37.12/16', 'dev', 'eth0']);
  }

  /**
   * The lease ran out and no renewal came: address, routes and resolvers go, IPv4LL steps in.
   * Under NetworkManager: where NM leaves eth0 once its DHCP client gave up, disconnected
   * (no address, no routes, no resolvers) with autoconnect blocked.
   */
  async loseLease(): Promise<void> {
    if (this.networkManager) {
      await this.nmcli(['device', 'disconnect', 'eth0']);
      return;
    }
    await this.selfAssignPi();
    writeFileSync(this.resolvConf, '');
  }

  /** The agent's config file; `overrides` for a test that needs another setting. */
  writeAgentConfig(overrides: Partial<AgentConfig> = {}, file = this.configPath) {
    const config: Partial<AgentConfig> = {
      apiUrl: `https://${cloud.name}`,
      tls: { caFile: this.ca.certFile },
      tokenFile: path.join(this.dir, 'device-token'),
      journalPath: path.join(this.dir, 'journal.json'),
      interface: 'eth0',
      resolvConfPath: this.resolvConf,
      referenceResolver: internet.resolver,
      dnsTestName: internet.webName,
      internetTargets: internet.targets,
      httpUrl: `http://${internet.webName}/`,
      captivePortal: { url: `http://${internet.webName}/`, expectedBody: 'Example Domain' },
      tcpTls: {
        targets: [
          { host: internet.webName, port: 443, tls: true },
          { host: internet.resolver, port: 853, tls: true },
        ],
        caFile: this.ca.certFile,
      },
      ntpServer: internet.ntp,
      // No API runs behind the cloud's front door in every lab: the web site serves the same route.
      throughput: {
        url: `http://${internet.web}/speed-test`,
        maxMB: 25,
        maxSeconds: 4,
        loadSeconds: 2,
      },
      ipv6Targets: [ipv6.target],
      tracerouteTarget: internet.targets[0],
      modemAddress: lan.modem,
      smartPlugs: { modem: `http://${lan.modemPlug}`, router: `http://${lan.routerPlug}` },
      lte: { interface: 'wwan0', gateway: lte.gateway, dns: lte.gateway },
      network: { manager: 'auto', stateDir: this.dir },
      // Shorter than a box's defaults so a lab case takes minutes (test/lab/README.md).
      cloudLink: { ...labCloudLink },
      monitor: labMonitor,
      ...(this.routerApi
        ? {
            router: {
              kind: 'openwrt' as const,
              url: `http://${lan.router}`,
              username: this.routerLogins.agent.username,
              passwordFile: this.routerPasswordFile,
            },
          }
        : {}),
      ...overrides,
    };
    writeFileSync(file, JSON.stringify(config, null, 2));
  }

  /**
   * Puts the API on the lab's internet: the TLS front door at cloud.example.net in the
   * ISP's namespace, a unix socket in the lab's directory, socat on the host to the API.
   * `certificate`: another one than the cloud's, for a test of what the box refuses.
   */
  async openCloud(apiUrl: string, certificate: KeyPair = this.cloudCertificate): Promise<void> {
    const api = new URL(apiUrl);
    const socket = path.join(this.dir, 'api.sock');
    this.daemons.set(
      'cloud-host',
      daemon('socat', [`UNIX-LISTEN:${socket},fork,mode=600`, `TCP:127.0.0.1:${api.port}`]),
    );
    this.recordOwner();
    this.start('cloud-edge', 'isp', process.execPath, [
      ...tsx,
      path.join(__dirname, 'cloudEdge.ts'),
      JSON.stringify({ address: cloud.address, port: cloud.port, ...onDisk(certificate), socket }),
    ]);
    await this.waitForPort('isp', cloud.address, cloud.port);
  }

  /** Output of one of the lab's daemons. */
  output(name: string): string {
    return this.daemons.get(name)?.output() ?? '';
  }

  /** The real agent, reaching the cloud across the office network or over LTE. */
  startAgent(token: string): Daemon {
    writeFileSync(path.join(this.dir, 'device-token'), token, { mode: 0o600 });
    return this.start('agent', 'pi', 'env', [
      `DBUS_SYSTEM_BUS_ADDRESS=${this.busAddress}`,
      process.execPath,
      ...tsx,
      path.join(repoRoot, 'agent', 'main.ts'),
      '--config',
      this.configPath,
    ]);
  }

  /**
   * The agent's command line inside the Pi: `check ...`, `apply ...`, `restore-dns`; its
   * JSON answer. It talks only to the lab's bus, never to a NetworkManager of the host.
   * `as`: run it as that user with only the unit's capabilities, as systemd does on the Pi.
   */
  async agentCli(
    args: string[],
    { config = this.configPath, as }: { config?: string; as?: number } = {},
  ): Promise<any> {
    const asUser =
      as === undefined
        ? []
        : [
            ...['setpriv', `--reuid=${as}`, `--regid=${as}`, '--clear-groups'],
            ...['--inh-caps=+net_admin,+net_raw', '--ambient-caps=+net_admin,+net_raw'],
          ];
    const out = await exec(
      'ip',
      [
        ...['netns', 'exec', this.ns('pi'), 'env', `DBUS_SYSTEM_BUS_ADDRESS=${this.busAddress}`],
        ...[...asUser, process.execPath, ...tsx],
        ...[path.join(repoRoot, 'agent', 'main.ts'), '--config', config, ...args],
      ],
      { timeoutMs: 240_000 },
    ).catch((err: Error) => {
      // `apply` exits 1 when the action failed; its JSON still says why.
      // Looked for after "failed (1): ": the command line before it may hold JSON parameters.
      const output = err.message.slice(err.message.indexOf(' failed ('));
      const json = /\{.*\}\s*$/s.exec(output)?.[0];
      if (!json) throw err;
      return json;
    });
    return JSON.parse(out.trim().split('\n').pop()!);
  }

  async waitForPort(role: Role, address: string, port: number, proto: 'tcp' | 'udp' = 'tcp') {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const listening = await this.in(role, 'ss', ['-Hln', proto === 'tcp' ? '-t' : '-u']);
      if (listening.includes(`${address}:${port}`)) return;
      if (Date.now() > deadline) {
        const logs = [...this.daemons].map(([n, d]) => `${n}: ${d.output()}`).join('\n');
        throw new Error(`Nothing listens on ${address}:${port} in ${role}.\n${logs}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Output of the lab's daemons, for a failing test's message. */
  logs(): string {
    return [...this.daemons].map(([name, d]) => `--- ${name}\n${d.output()}`).join('\n');
  }

  async destroy(): Promise<void> {
    for (const d of [...this.daemons.values()].reverse()) await d.stop();
    this.daemons.clear();
    await removeNamespaces(this.created.reverse());
    this.created = [];
    rmSync(this.dir, { recursive: true, force: true });
    forgetLabOwner(this.prefix);
  }

  /** Notes which test process owns this lab and what it keeps outside its namespaces. */
  private recordOwner() {
    const cloudHost = this.daemons.get('cloud-host')?.child.pid;
    recordLabOwner(this.prefix, {
      pid: process.pid,
      dir: this.dir,
      hostPids: cloudHost ? [cloudHost] : [],
    });
  }
}

/** The cloud link's timers in the lab: a box's defaults are 15, 5, 15, 60 and 300 s. */
/**
 * The box's monitor in the lab: off unless a test turns it on (on, it opens cases of its
 * own), probing the lab's internet, with seconds where a box has minutes.
 */
export const labMonitor = MonitorConfig.parse({
  enabled: false,
  targets: internet.targets,
  intervalSeconds: 5,
  recheckSeconds: 2,
  damping: { halfLifeSeconds: 20 },
});

export const labCloudLink = {
  failoverAfterSeconds: 10,
  wiredProbeSeconds: 3,
  wiredCheckSeconds: 4,
  holdSeconds: 20,
  lteHeartbeatSeconds: 300,
  whenBudgetUsed: 'minimal' as const,
};

export interface LabOptions {
  dhcpPool?: DhcpPool;
  /** NetworkManager owns the Pi's eth0 instead of the agent's own DHCP hook. */
  networkManager?: boolean;
  /** The router serves its OpenWrt API and the box gets a login for it. */
  routerApi?: boolean;
}

/** Builds a lab; if building fails half-way, what was made is removed. */
export async function buildLab(options?: LabOptions): Promise<Lab> {
  await sweepAbandonedLabs(roles);
  const lab = new Lab();
  try {
    await lab.build(options);
    return lab;
  } catch (err) {
    await lab.destroy();
    throw err;
  }
}
