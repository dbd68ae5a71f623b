import { checkThresholds } from '../../contracts/diagnostics';
import { conflictFindings } from '../linux/checks/ipConflict';
import { inventoryOk, type LanDevice } from '../linux/checks/lanInventory';
import { wifiFindings } from '../linux/checks/wifi';
import { ipv6Findings } from '../linux/checks/ipv6';
import type { Measured } from '../linux/checks';
import type { Fault } from './scenarios';

// The simulated office LAN as the LAN checks see it (ip_conflict, ipv6,
// lan_inventory, wifi): what the router, the other devices and the radio
// answer, from the scenario's fault. SimulatedNetwork (network.ts) calls these.

/** What the model needs of the network's state. */
export interface LanState {
  fault: Fault;
  linkUp: boolean;
  addressed: boolean;
  routerUp: boolean;
  wanUp: boolean;
  /** The box's configured resolver answers. */
  resolverAnswers: boolean;
  pi: string;
  router: string;
}

const macs = {
  router: '3c:22:fb:10:01:01',
  /** A network printer someone set by hand to the box's address. */
  conflicting: '00:1b:a9:42:17:0c',
  /** A laptop answering for the router's address. */
  impostor: 'a4:83:e7:5d:20:9e',
  printer: '00:1b:a9:42:17:0c',
  nas: '00:11:32:8e:4a:51',
  pc: 'f4:8e:38:c1:07:22',
};
const answer = (mac: string, replies: number) => ({ mac, oui: mac.slice(0, 8), replies });

export function ipConflict(s: LanState): Measured<'ip_conflict'> {
  const address = s.addressed ? s.pi : undefined;
  const duplicates = address && s.fault.addressConflict ? [answer(macs.conflicting, 1)] : [];
  const probes = checkThresholds.gatewayArpSeconds + 1;
  const answers = !s.routerUp
    ? []
    : s.fault.gatewayImpostor
      ? [answer(macs.router, probes), answer(macs.impostor, probes)]
      : [answer(macs.router, probes)];
  const gateway = s.addressed
    ? { address: s.router, probes, answers, cachedMac: macs.router }
    : undefined;
  const findings = conflictFindings(duplicates, gateway);
  return {
    ok: findings.length === 0,
    data: { interface: 'eth0', address, duplicates, gateway, findings },
  };
}

/** The office's IPv6: the router advertises 2001:db8:1::/64; the line carries it unless dropped. */
export function ipv6(s: LanState): Measured<'ipv6'> {
  const offered = s.linkUp && s.routerUp;
  const reaches = s.wanUp && !s.fault.ipv6Blackhole;
  const targets = offered
    ? [
        {
          host: '2001:db8:20::20',
          sent: 5,
          ...(reaches ? { lossPct: 0, avgMs: 19.2 } : { lossPct: 100 }),
        },
      ]
    : [];
  const findings = ipv6Findings(offered, targets);
  const data = {
    interface: 'eth0',
    offered,
    router: offered ? { lifetimeS: 1790 } : undefined,
    prefixes: offered
      ? [{ prefix: '2001:db8:1::/64', announced: true, addresses: 2, validLifetimeS: 2591990 }]
      : [],
    targets,
    dns: {
      name: 'www.example.com',
      ...(s.resolverAnswers
        ? { outcome: 'answered' as const, addresses: ['2001:db8:80::80'] }
        : { outcome: 'timeout' as const, addresses: [] }),
    },
    findings,
  };
  return { ok: findings.length === 0, data };
}

/** The office's devices, all seen by an earlier inventory: the router, a printer, a NAS and a PC. */
export function lanInventory(s: LanState): Measured<'lan_inventory'> {
  const empty = { interface: 'eth0', limited: false, swept: 0, answering: 0, devices: [] };
  if (!s.addressed) return { ok: false, data: empty };
  const device = (
    address: string,
    mac: string,
    kind: LanDevice['kind'],
    services: LanDevice['services'],
    answers: boolean,
    port?: number,
  ): LanDevice => ({
    address,
    mac,
    oui: mac.slice(0, 8),
    answers,
    kind,
    services,
    ...(port ? { servicePort: { port, open: answers } } : {}),
    seenBefore: true,
    ...(answers ? {} : { lastSeen: '2026-12-04T16:41:07.000Z' }),
  });
  const printerOn = !s.fault.printerOffline;
  const printer = device(
    '192.168.1.60',
    macs.printer,
    'printer',
    ['_ipp._tcp', '_pdl-datastream._tcp'],
    printerOn,
    631,
  );
  const others = [
    device(s.router, macs.router, 'router', [], s.routerUp),
    device('192.168.1.61', macs.nas, 'file-server', ['_smb._tcp'], true, 445),
    device('192.168.1.102', macs.pc, 'unknown', [], true),
  ];
  const devices = printerOn
    ? [...others.slice(0, 1), printer, ...others.slice(1)]
    : [printer, ...others];
  const data = {
    interface: 'eth0',
    subnet: '192.168.1.0/24',
    limited: false,
    swept: 253,
    answering: devices.filter((d) => d.answers).length,
    devices,
  };
  return { ok: inventoryOk(devices), data };
}

/** A wired box has no Wi-Fi to measure; a box on Wi-Fi sees the access point's 2.4 GHz channel 6. */
export function wifi(s: LanState): Measured<'wifi'> {
  const link = s.fault.wifi;
  if (!link) {
    return {
      ok: true,
      data: { interface: 'eth0', wireless: false, connected: false, findings: [] },
    };
  }
  const measured = {
    interface: 'wlan0',
    wireless: true,
    connected: s.linkUp,
    ...(s.linkUp
      ? {
          ssid: 'Office',
          bssid: macs.router,
          signalDbm: link.signalDbm,
          noiseDbm: -92,
          frequencyMhz: 2437,
          channel: 6,
          txBitrateMbps: link.txBitrateMbps,
          rxBitrateMbps: link.txBitrateMbps,
          channelBusyPct: link.channelBusyPct,
        }
      : {}),
  };
  const findings = wifiFindings(measured);
  return { ok: findings.length === 0, data: { ...measured, findings } };
}
