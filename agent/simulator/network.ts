import type { CheckName, CheckResult } from '../../contracts/diagnostics';
import { remediationCatalog, type ActionId } from '../../contracts/remediation';
import type { Backend } from '../executor';
import { judgePage } from '../linux/checks/captivePortal';
import { dhcpServersOk, type DhcpServer } from '../linux/checks/dhcpServers';
import { dnsFindings } from '../linux/checks/dnsIntegrity';
import { pathMtuData, probedMtus } from '../linux/checks/pathMtu';
import type { DnsAnswer } from '../linux/checks/resolve';
import { checkThresholds } from '../../contracts/diagnostics';
import * as lanModel from './lanModel';
import * as lineModel from './lineModel';
import { routerApi } from './routerModel';
import { scenarioByName, type Fault, type Scenario } from './scenarios';

// A deterministic model of a small office network (Pi → switch → router →
// modem → ISP) built from a scenario. Checks read the model; catalog actions
// change it the way they would change real equipment, so an action repairs
// only the faults it physically can.

type ResultOf<K extends CheckName> = Extract<CheckResult, { check: K }>;
type DataOf<K extends CheckName> = ResultOf<K>['data'];
type Measured<K extends CheckName> = { ok: boolean; data: DataOf<K> };

const lan = {
  pi: '192.168.1.23',
  router: '192.168.1.1',
  prefixLength: 24,
  selfAssigned: '169.254.37.12',
  modem: '192.168.100.1',
  /** A consumer router someone plugged in, and the gateway it hands out that leads nowhere. */
  rogueDhcp: '192.168.1.66',
  rogueGateway: '192.168.1.254',
  /** What a hijacking resolver answers for public names. */
  hijackAnswer: '192.168.1.250',
  /** The router's address on the modem's side, and its OpenWrt API's words for itself. */
  routerWan: '192.168.100.2',
  routerModel: 'GL.iNet GL-MT6000',
  routerRelease: 'OpenWrt 23.05.5 r24106-10cc5fcd00',
};
const internet = {
  targets: ['198.51.100.20', '203.0.113.20'],
  referenceResolver: '203.0.113.53',
  ispEdge: '203.0.113.1',
  transit: '198.51.100.1',
  web: '198.51.100.80',
  ntp: '203.0.113.123',
  /** A resolver nobody runs: an old or mistyped DNS setting points here. */
  deadResolver: '203.0.113.99',
};
const portalUrl = 'http://detectportal.firefox.com/success.txt';
const tlsTargets = [
  { host: internet.referenceResolver, port: 853 },
  { host: 'www.example.com', port: 443 },
];

const mdnsServices = [
  { name: 'Office Printer', type: '_ipp._tcp', host: 'office-printer.local' },
  { name: 'Front Desk NAS', type: '_smb._tcp', host: 'frontdesk-nas.local' },
];

/** Reported check durations (ms): what the real tools take, returned at once. */
const durations: Record<CheckName, number> = {
  link: 3,
  ip_config: 5,
  dhcp: 1200,
  gateway: 1004,
  dns: 31,
  internet: 2050,
  http: 180,
  traceroute: 920,
  modem: 1002,
  mdns: 1500,
  lte: 240,
  dhcp_servers: 3400,
  dns_integrity: 38,
  path_mtu: 1310,
  captive_portal: 190,
  tcp_tls: 210,
  clock_offset: 640,
  throughput: 8200,
  latency_under_load: 9600,
  router_api: 85,
  ip_conflict: 3040,
  ipv6: 1030,
  lan_inventory: 2620,
  wifi: 12,
};

export interface AppliedAction {
  action: ActionId;
  params: Record<string, unknown>;
}

export class SimulatedNetwork implements Backend {
  readonly scenario: Scenario;
  /** Every action carried out, in order (tests check that nothing ran twice). */
  readonly applied: AppliedAction[] = [];
  private readonly fault: Fault;
  private hasLease: boolean;
  private resolver: string = lan.router;
  private uplink: 'wan' | 'lte' = 'wan';
  /** What the router's DHCP hands out, and the gateway the box's own lease holds. */
  private dhcpDns: string[];
  private dhcpGateway: string;
  private boxGateway: string;

  constructor(scenario: Scenario | string) {
    this.scenario = typeof scenario === 'string' ? scenarioByName(scenario) : scenario;
    this.fault = { ...this.scenario.fault };
    // A hung router leaves the lease the Pi already had; a full pool never gave one.
    this.hasLease = !this.fault.cableUnplugged && !this.fault.dhcpPoolFull;
    // The box renewed its lease after the router's setting changed, as every device does
    // (unless its lease is still the one from before).
    this.dhcpDns = this.fault.dhcpDnsDead ? [internet.deadResolver] : [lan.router];
    this.dhcpGateway = this.fault.dhcpGatewayWrong ? lan.rogueGateway : lan.router;
    this.resolver = this.fault.staleLease ? lan.router : this.dhcpDns[0]!;
    this.boxGateway = this.fault.staleLease ? lan.router : this.dhcpGateway;
  }

  /** Someone on site fixed this part of the office (a step the customer took): it works again. */
  repairOnSite(part: keyof Fault): void {
    delete this.fault[part];
  }

  /** Which way the Pi itself sends traffic; diagnostics always measure the wired line. */
  get activeUplink(): 'wan' | 'lte' {
    return this.uplink;
  }

  // What the Pi can reach, hop by hop outwards.
  private get linkUp() {
    return !this.fault.cableUnplugged;
  }
  private get addressed() {
    return this.linkUp && this.hasLease;
  }
  private get routerUp() {
    return this.addressed && !this.fault.routerHung;
  }
  /** The box's gateway is the router, and the router answers. */
  private get gatewayUp() {
    return this.routerUp && this.boxGateway === lan.router;
  }
  /** The router's own way out: its WAN, the modem and the line. */
  private get routerUplink() {
    return (
      !this.fault.routerHung &&
      !this.fault.routerWanDown &&
      !this.fault.modemHung &&
      !this.fault.upstreamDown
    );
  }
  private get modemUp() {
    // Without its WAN address the router has no route to the modem's management address.
    return this.gatewayUp && !this.fault.modemHung && !this.fault.routerWanDown;
  }
  private get wanUp() {
    return this.modemUp && !this.fault.upstreamDown;
  }
  private get dhcpServerUp() {
    return this.linkUp && !this.fault.routerHung;
  }

  private resolverAnswers(server: string): boolean {
    if (server === internet.deadResolver) return false;
    if (server === lan.router)
      return this.routerUp && this.routerUplink && !this.fault.routerDnsDown;
    return this.wanUp;
  }

  runCheck(name: CheckName): CheckResult {
    const { ok, data, error } = this.measure(name);
    // The switch below pairs each name with its own data; TypeScript cannot follow that.
    return {
      check: name,
      ok,
      durationMs: durations[name],
      data,
      ...(error && { error }),
    } as CheckResult;
  }

  private measure(name: CheckName): { ok: boolean; data: CheckResult['data']; error?: string } {
    switch (name) {
      case 'link':
        return this.link();
      case 'ip_config':
        return this.ipConfig();
      case 'dhcp':
        return this.dhcp();
      case 'gateway':
        return this.gateway();
      case 'dns':
        return this.dns();
      case 'internet':
        return this.internet();
      case 'http':
        return this.http();
      case 'traceroute':
        return this.traceroute();
      case 'modem':
        return this.modem();
      case 'mdns':
        return {
          ok: this.linkUp,
          data: { services: this.linkUp ? mdnsServices.map((s) => ({ ...s })) : [] },
        };
      case 'lte':
        return {
          ok: true,
          data: { present: true, registered: true, signalDbm: -87, operator: 'Example Mobile' },
        };
      case 'dhcp_servers':
        return this.dhcpServers();
      case 'dns_integrity':
        return this.dnsIntegrity();
      case 'path_mtu':
        return pathMtuData(
          internet.targets[0]!,
          probedMtus.map((mtu) => ({
            mtu,
            passed: this.wanUp && mtu <= (this.fault.pathMtu ?? 1500),
          })),
        );
      case 'captive_portal':
        return this.captivePortal();
      case 'tcp_tls':
        return this.tcpTls();
      case 'clock_offset':
        return this.clockOffset();
      case 'throughput':
        return lineModel.throughput(this.lineState);
      case 'latency_under_load':
        return lineModel.latencyUnderLoad(this.lineState);
      case 'router_api':
        return routerApi({
          login: this.scenario.routerApi === true,
          routerUp: this.routerUp,
          wanDown: this.fault.routerWanDown === true,
          dhcpGateway: this.dhcpGateway,
          dhcpDns: this.dhcpDns,
          lan,
        });
      case 'ip_conflict':
        return lanModel.ipConflict(this.lanState);
      case 'ipv6':
        return lanModel.ipv6(this.lanState);
      case 'lan_inventory':
        return lanModel.lanInventory(this.lanState);
      case 'wifi':
        return lanModel.wifi(this.lanState);
    }
  }

  /** What the line's model reads (lineModel.ts). */
  private get lineState(): lineModel.LineState {
    return {
      fault: this.fault,
      onLte: this.uplink === 'lte',
      // The cloud's name resolves through the office's resolver (a hijack names only the test sites).
      reachesCloud: this.wanUp && this.resolverAnswers(this.resolver),
      router: lan.router,
      target: internet.targets[0]!,
    };
  }

  /** What the LAN checks' model reads (lanModel.ts). */
  private get lanState(): lanModel.LanState {
    return {
      fault: this.fault,
      linkUp: this.linkUp,
      addressed: this.addressed,
      routerUp: this.routerUp,
      wanUp: this.wanUp,
      resolverAnswers: this.addressed && this.resolverAnswers(this.resolver),
      pi: lan.pi,
      router: lan.router,
    };
  }

  private dhcpServers(): Measured<'dhcp_servers'> {
    const servers: DhcpServer[] = [];
    if (this.dhcpServerUp && !this.fault.dhcpPoolFull) {
      servers.push({
        serverId: lan.router,
        offeredAddress: lan.pi,
        leaseSeconds: 3600,
        gateway: {
          address: this.dhcpGateway,
          answers: this.dhcpGateway === lan.router && this.routerUp,
        },
        dnsServers: this.dhcpDns.map((address) => ({
          address,
          answers: this.resolverAnswers(address),
        })),
      });
    }
    if (this.linkUp && this.fault.rogueDhcpServer) {
      servers.push({
        serverId: lan.rogueDhcp,
        offeredAddress: '192.168.1.201',
        leaseSeconds: 600,
        gateway: { address: lan.rogueGateway, answers: false },
        dnsServers: [{ address: lan.rogueGateway, answers: false }],
      });
    }
    const data = { interface: 'eth0', listenedMs: 3000, servers };
    return { ok: dhcpServersOk(servers), data };
  }

  private dnsIntegrity(): Measured<'dns_integrity'> {
    const lookUp = (server: string, ms: number): DnsAnswer => {
      if (!this.resolverAnswers(server)) return { outcome: 'timeout', addresses: [] };
      const hijack = server === lan.router ? this.fault.dnsHijack : undefined;
      if (hijack === 'nxdomain') return { outcome: 'nxdomain', addresses: [] };
      const address = hijack === 'private' ? lan.hijackAnswer : internet.web;
      return { outcome: 'answered', addresses: [address], ms };
    };
    const configured: DnsAnswer = this.addressed
      ? lookUp(this.resolver, this.resolverMs(this.resolver, 12))
      : { outcome: 'error', addresses: [] };
    const reference = lookUp(
      internet.referenceResolver,
      this.resolverMs(internet.referenceResolver, 24),
    );
    const findings = dnsFindings(configured, reference);
    const data = {
      name: 'www.example.com',
      slowThresholdMs: checkThresholds.dnsSlowMs,
      configured: { ...(this.addressed ? { server: this.resolver } : {}), ...configured },
      reference: { server: internet.referenceResolver, ...reference },
      findings,
    };
    return { ok: findings.length === 0, data };
  }

  /** A lookup's time: the line's delay, and the router's slow upstream for the router's resolver. */
  private resolverMs(server: string, ms: number): number {
    const upstream = server === lan.router ? (this.fault.routerDnsDelayMs ?? 0) : 0;
    return ms + (this.fault.lineDelayMs ?? 0) + upstream;
  }

  private get webReachable() {
    return this.wanUp && this.resolverAnswers(this.resolver) && !this.fault.dnsHijack;
  }

  private captivePortal(): Measured<'captive_portal'> {
    if (!this.webReachable) {
      return {
        ok: false,
        data: { url: portalUrl, reached: false, proxyHeaders: [], findings: [] },
      };
    }
    const page = this.fault.captivePortal
      ? {
          status: 302,
          headers: { location: `http://${lan.router}/login` },
          body: '<html><title>Guest Wi-Fi login</title></html>',
        }
      : { status: 200, headers: {}, body: 'success\n' };
    const judged = judgePage(page, 'success');
    const data = { url: portalUrl, reached: true, status: page.status, totalMs: 120, ...judged };
    return { ok: judged.findings.length === 0, data };
  }

  private tcpTls(): Measured<'tcp_tls'> {
    const targets = tlsTargets.map(({ host, port }) => {
      const byName = host === 'www.example.com';
      const address = byName ? internet.web : host;
      if (!(byName ? this.webReachable : this.wanUp)) {
        return { host, port, address, tcp: 'timeout' as const };
      }
      if (this.fault.blockedPorts?.includes(port)) {
        return { host, port, address, tcp: 'refused' as const };
      }
      const forged = port === 443 && this.fault.tlsIntercepted === true;
      const tls = {
        ...(forged
          ? { ok: false, problem: 'untrusted' as const, detail: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }
          : { ok: true }),
        protocol: 'TLSv1.3',
        handshakeMs: 41,
        validFrom: 'Jan  6 00:00:00 2026 GMT',
        validTo: 'Apr  6 23:59:59 2027 GMT',
        subject: host,
        issuer: forged ? 'Office Firewall CA' : 'Example CA',
      };
      return { host, port, address, tcp: 'open' as const, connectMs: 19, tls };
    });
    const ok = targets.every((t) => t.tcp === 'open' && t.tls.ok);
    return { ok, data: { targets } };
  }

  private clockOffset(): Measured<'clock_offset'> {
    const server = 'time.cloudflare.com';
    const maxOffsetMs = checkThresholds.maxClockOffsetMs;
    if (!this.wanUp) return { ok: false, data: { server, maxOffsetMs } };
    const offsetMs = (this.fault.clockOffsetS ?? 0) * 1000 + 3.2;
    const data = {
      server,
      address: internet.ntp,
      offsetMs,
      roundTripMs: 21.4,
      stratum: 3,
      maxOffsetMs,
    };
    return { ok: Math.abs(offsetMs) <= maxOffsetMs, data };
  }

  private link(): Measured<'link'> {
    if (!this.linkUp) return { ok: false, data: { interface: 'eth0', up: false } };
    const speedMbps = this.fault.lanLinkMbps ?? 1000;
    return { ok: true, data: { interface: 'eth0', up: true, speedMbps } };
  }

  private ipConfig(): Measured<'ip_config'> {
    if (this.addressed) {
      const data = {
        interface: 'eth0',
        address: lan.pi,
        prefixLength: lan.prefixLength,
        gateway: this.boxGateway,
        dnsServers: [this.resolver],
        leaseValid: true,
        linkLocalOnly: false,
      };
      return { ok: true, data };
    }
    if (!this.linkUp) {
      return {
        ok: false,
        data: { interface: 'eth0', dnsServers: [], leaseValid: false, linkLocalOnly: false },
      };
    }
    const data = {
      interface: 'eth0',
      address: lan.selfAssigned,
      prefixLength: 16,
      dnsServers: [],
      leaseValid: false,
      linkLocalOnly: true,
    };
    return { ok: false, data };
  }

  private dhcp(): Measured<'dhcp'> {
    if (!this.dhcpServerUp)
      return { ok: false, data: { serverReachable: false, offerReceived: false } };
    const offerReceived = !this.fault.dhcpPoolFull;
    return {
      ok: offerReceived,
      data: { serverReachable: true, offerReceived, server: lan.router },
    };
  }

  private gateway(): Measured<'gateway'> {
    if (!this.addressed) return { ok: false, data: { arpResolved: false, lossPct: 100 } };
    if (!this.gatewayUp) {
      return { ok: false, data: { address: this.boxGateway, arpResolved: false, lossPct: 100 } };
    }
    return { ok: true, data: { address: lan.router, arpResolved: true, lossPct: 0, rttMs: 0.6 } };
  }

  private dns(): Measured<'dns'> {
    const answer = (server: string, ms: number) =>
      this.resolverAnswers(server) ? { server, ok: true, ms } : { server, ok: false };
    const configured = this.addressed
      ? answer(this.resolver, this.resolverMs(this.resolver, 12))
      : { ok: false };
    const reference = answer(
      internet.referenceResolver,
      this.resolverMs(internet.referenceResolver, 24),
    );
    return { ok: configured.ok, data: { name: 'www.example.com', configured, reference } };
  }

  private internet(): Measured<'internet'> {
    const lossPct = this.wanUp ? (this.fault.lineLossPct ?? 0) : 100;
    const jitterMs = this.fault.lineJitterMs ?? 1.5;
    const targets = internet.targets.map((host, i) =>
      lossPct === 100
        ? { host, sent: 20, lossPct }
        : { host, sent: 20, lossPct, avgMs: 18 + i * 4 + (this.fault.lineDelayMs ?? 0), jitterMs },
    );
    return { ok: lossPct < 5, data: { targets } };
  }

  private http(): Measured<'http'> {
    const url = 'https://www.example.com/';
    if (!this.webReachable) return { ok: false, data: { url, ok: false } };
    const totalMs = (this.fault.lineLossPct ?? 0) > 0 ? 1450 : 180;
    return { ok: true, data: { url, ok: true, status: 200, totalMs, serverHeader: 'nginx' } };
  }

  private traceroute(): Measured<'traceroute'> {
    const target = internet.targets[0]!;
    const stopped = (hops: DataOf<'traceroute'>['hops']) => ({
      ok: false,
      data: { target, reachedTarget: false, hops },
    });
    if (!this.addressed) return stopped([]);
    if (!this.gatewayUp) return stopped([{ ttl: 1 }, { ttl: 2 }]);
    const first = { ttl: 1, address: lan.router, ms: 0.7 };
    if (!this.wanUp) return stopped([first, { ttl: 2 }, { ttl: 3 }]);
    const hops = [
      first,
      { ttl: 2, address: internet.ispEdge, ms: 9.4 },
      { ttl: 3, address: internet.transit, ms: 14.8 },
      { ttl: 4, address: target, ms: 18.1 },
    ];
    return { ok: true, data: { target, reachedTarget: true, hops } };
  }

  private modem(): Measured<'modem'> {
    if (!this.modemUp)
      return { ok: false, data: { managementAddress: lan.modem, reachable: false } };
    const upstreamLocked = !this.fault.upstreamDown;
    return {
      ok: upstreamLocked,
      data: { managementAddress: lan.modem, reachable: true, upstreamLocked },
    };
  }

  /** Carries out a catalog action; throws only when it cannot be carried out at all. */
  apply(action: ActionId, params: Record<string, unknown>): string {
    const message = this.act(action, params);
    this.applied.push({ action, params });
    return message;
  }

  private act(action: ActionId, params: Record<string, unknown>): string {
    switch (action) {
      case 'renew_dhcp_lease':
        return `${this.requestLease(remediationCatalog[action].params.parse(params).interface)}.`;
      case 'restart_interface': {
        const lease = this.requestLease(remediationCatalog[action].params.parse(params).interface);
        return `Restarted eth0. ${lease}.`;
      }
      case 'flush_dns':
        return 'Flushed the DNS cache.';
      case 'switch_dns_fallback':
        this.resolver = remediationCatalog[action].params.parse(params).resolver;
        return `Switched the DNS resolver to ${this.resolver}; ${lan.router} is kept to restore.`;
      case 'power_cycle_modem': {
        const { offSeconds } = remediationCatalog[action].params.parse(params);
        this.fault.modemHung = false;
        return `Power-cycled the modem (${offSeconds} s off); it has started again.`;
      }
      case 'power_cycle_router': {
        const { offSeconds } = remediationCatalog[action].params.parse(params);
        // A reboot clears a hang and sets its WAN up afresh, but keeps its settings and leases.
        this.fault.routerHung = false;
        this.fault.routerWanDown = false;
        return `Power-cycled the router (${offSeconds} s off); it has started again.`;
      }
      case 'failover_lte':
        this.uplink = 'lte';
        return 'The Pi now sends its own traffic over LTE.';
      case 'failback_wan':
        this.uplink = 'wan';
        return 'The Pi sends its own traffic over the wired line again.';
      case 'router_set_dhcp_dns': {
        const { servers } = remediationCatalog[action].params.parse(params);
        this.routerReachable();
        this.dhcpDns = [...servers];
        // The box renews its lease to verify the change, as the office's devices will.
        this.resolver = servers[0]!;
        return `The router's DHCP now hands out ${servers.join(', ')} as DNS; the box renewed its lease and confirmed the change.`;
      }
      case 'router_set_dhcp_gateway': {
        const { gateway } = remediationCatalog[action].params.parse(params);
        this.routerReachable();
        if (gateway !== lan.router)
          throw new Error(`${gateway} is not the router's own LAN address.`);
        this.dhcpGateway = gateway;
        this.boxGateway = gateway;
        return `The router's DHCP now hands out itself (${gateway}) as the gateway; the box renewed its lease and confirmed the change.`;
      }
      case 'router_restart_wan':
        this.routerReachable();
        this.fault.routerWanDown = false;
        return `Restarted the router's WAN interface: it is up again with ${lan.routerWan}.`;
    }
  }

  /** The router's fixes need its API and a router that answers. */
  private routerReachable(): void {
    if (!this.scenario.routerApi) throw new Error('No router API is configured on this box.');
    if (!this.routerUp) throw new Error("The router's API did not answer.");
  }

  private requestLease(iface: 'eth0' | 'wlan0'): string {
    if (iface !== 'eth0') throw new Error(`${iface} is not in use on this device.`);
    if (!this.linkUp) return 'No carrier on eth0: no lease requested';
    // Without an answer the Pi keeps the lease it has until it expires.
    if (!this.dhcpServerUp) return 'No DHCP server answered; the current lease is kept';
    if (this.fault.dhcpPoolFull)
      return 'The DHCP server sent no offer; still on a self-assigned address';
    this.hasLease = true;
    return `Got a lease for ${lan.pi}/${lan.prefixLength} on eth0`;
  }
}
