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
};
const internet = {
  targets: ['198.51.100.20', '203.0.113.20'],
  referenceResolver: '203.0.113.53',
  ispEdge: '203.0.113.1',
  transit: '198.51.100.1',
  web: '198.51.100.80',
  ntp: '203.0.113.123',
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

  constructor(scenario: Scenario | string) {
    this.scenario = typeof scenario === 'string' ? scenarioByName(scenario) : scenario;
    this.fault = { ...this.scenario.fault };
    // A hung router leaves the lease the Pi already had; a full pool never gave one.
    this.hasLease = !this.fault.cableUnplugged && !this.fault.dhcpPoolFull;
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
  private get modemUp() {
    return this.routerUp && !this.fault.modemHung;
  }
  private get wanUp() {
    return this.modemUp && !this.fault.upstreamDown;
  }
  private get dhcpServerUp() {
    return this.linkUp && !this.fault.routerHung;
  }

  private resolverAnswers(server: string): boolean {
    if (server === lan.router) return this.wanUp && !this.fault.routerDnsDown;
    return this.wanUp;
  }

  runCheck(name: CheckName): CheckResult {
    const { ok, data } = this.measure(name);
    // The switch below pairs each name with its own data; TypeScript cannot follow that.
    return { check: name, ok, durationMs: durations[name], data } as CheckResult;
  }

  private measure(name: CheckName): { ok: boolean; data: CheckResult['data'] } {
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
        gateway: { address: lan.router, answers: this.routerUp },
        dnsServers: [{ address: lan.router, answers: this.resolverAnswers(lan.router) }],
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
      ? lookUp(this.resolver, 12)
      : { outcome: 'error', addresses: [] };
    const reference = lookUp(internet.referenceResolver, 24);
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
    return { ok: true, data: { interface: 'eth0', up: true, speedMbps: 1000 } };
  }

  private ipConfig(): Measured<'ip_config'> {
    if (this.addressed) {
      const data = {
        interface: 'eth0',
        address: lan.pi,
        prefixLength: lan.prefixLength,
        gateway: lan.router,
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
    if (!this.routerUp) {
      return { ok: false, data: { address: lan.router, arpResolved: false, lossPct: 100 } };
    }
    return { ok: true, data: { address: lan.router, arpResolved: true, lossPct: 0, rttMs: 0.6 } };
  }

  private dns(): Measured<'dns'> {
    const answer = (server: string, ms: number) =>
      this.resolverAnswers(server) ? { server, ok: true, ms } : { server, ok: false };
    const configured = this.addressed ? answer(this.resolver, 12) : { ok: false };
    const reference = answer(internet.referenceResolver, 24);
    return { ok: configured.ok, data: { name: 'www.example.com', configured, reference } };
  }

  private internet(): Measured<'internet'> {
    const lossPct = this.wanUp ? (this.fault.lineLossPct ?? 0) : 100;
    const jitterMs = this.fault.lineJitterMs ?? 1.5;
    const targets = internet.targets.map((host, i) =>
      lossPct === 100
        ? { host, sent: 20, lossPct }
        : { host, sent: 20, lossPct, avgMs: 18 + i * 4, jitterMs },
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
    if (!this.routerUp) return stopped([{ ttl: 1 }, { ttl: 2 }]);
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
        // A reboot clears a hang but keeps the router's settings and its lease table.
        this.fault.routerHung = false;
        return `Power-cycled the router (${offSeconds} s off); it has started again.`;
      }
      case 'failover_lte':
        this.uplink = 'lte';
        return 'The Pi now sends its own traffic over LTE.';
      case 'failback_wan':
        this.uplink = 'wan';
        return 'The Pi sends its own traffic over the wired line again.';
    }
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
