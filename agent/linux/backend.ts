import type { CheckName, CheckResult, checkData } from '../../contracts/diagnostics';
import type { ActionId } from '../../contracts/remediation';
import type { z } from 'zod';
import type { AgentConfig } from '../config';
import type { Backend } from '../executor';
import { applyAction } from './actions';
import * as checks from './checks';
import { captivePortal } from './checks/captivePortal';
import { clockOffset } from './checks/clockOffset';
import { dhcpServers } from './checks/dhcpServers';
import { dnsIntegrity } from './checks/dnsIntegrity';
import { pathMtu } from './checks/pathMtu';
import { tcpTls } from './checks/tcpTls';
import { throughput } from './checks/throughput';
import { latencyUnderLoad } from './checks/latencyUnderLoad';
import { ipConflict } from './checks/ipConflict';
import { ipv6 } from './checks/ipv6';
import { lanInventory } from './checks/lanInventory';
import { wifi } from './checks/wifi';
import { withTimeout } from './exec';
import { routerApi } from '../router/routerApi';

// The agent's Backend on a real Linux box (the Pi, or a lab namespace).

export type LteData = z.infer<(typeof checkData)['lte']>;
export type MdnsData = z.infer<(typeof checkData)['mdns']>;

/** LTE and mDNS come from the peripherals' modules; without them the checks report nothing found. */
export interface Providers {
  lte?: () => Promise<LteData>;
  mdns?: () => Promise<MdnsData>;
}

type Measures = { [K in CheckName]: (config: AgentConfig) => Promise<checks.Measured<K>> };

export function createLinuxBackend(config: AgentConfig, providers: Providers = {}): Backend {
  const measures: Measures = {
    link: checks.link,
    ip_config: checks.ipConfig,
    dhcp: checks.dhcp,
    gateway: checks.gateway,
    dns: checks.dns,
    internet: checks.internet,
    http: checks.httpCheck,
    traceroute: checks.traceroute,
    modem: checks.modem,
    dhcp_servers: dhcpServers,
    dns_integrity: dnsIntegrity,
    path_mtu: pathMtu,
    captive_portal: captivePortal,
    tcp_tls: tcpTls,
    clock_offset: clockOffset,
    throughput,
    latency_under_load: latencyUnderLoad,
    router_api: routerApi,
    ip_conflict: ipConflict,
    ipv6,
    lan_inventory: lanInventory,
    wifi,
    lte: async () => {
      const data = providers.lte ? await providers.lte() : { present: false };
      return { ok: data.present && data.registered === true, data };
    },
    mdns: async () => {
      const data = providers.mdns ? await providers.mdns() : { services: [] };
      return { ok: providers.mdns !== undefined, data };
    },
  };
  return {
    async runCheck(name) {
      const started = Date.now();
      const measure = measures[name] as (c: AgentConfig) => Promise<checks.Measured<CheckName>>;
      const measured = await withTimeout(
        measure(config),
        config.timeouts.checkMs,
        `The ${name} check`,
      );
      const durationMs = Date.now() - started;
      return { check: name, durationMs, ...measured } as CheckResult;
    },
    apply(action: ActionId, params) {
      return withTimeout(applyAction(config, action, params), config.timeouts.actionMs, action);
    },
  };
}
