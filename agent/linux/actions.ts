import type { ActionId } from '../../contracts/remediation';
import { remediationCatalog } from '../../contracts/remediation';
import type { AgentConfig } from '../config';
import { renewLease } from './dhcp';
import { run, runOrThrow, sleep } from './exec';
import { defaultGateway, linkState } from './iproute';
import { ping } from './ping';
import {
  flushDnsNm,
  networkRoute,
  renewLeaseNm,
  restartInterfaceNm,
  restoreResolversNm,
  useResolverNm,
} from './networkManager';
import { restoreResolvers, useResolver } from './resolvConf';
import { restartWan, routerUndo, setDhcpDns, setDhcpGateway } from '../router/actions';
import { powerCycle } from './smartPlug';

// The remediation catalog carried out with the real tools. Parameters were
// checked against the catalog by the executor; each action says what it did
// and throws when it could not be done.

/** The metric of the LTE default route: lower than the DHCP route's 100, so it wins. */
const LTE_METRIC = '10';

async function until(
  what: string,
  timeoutMs: number,
  ready: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${Math.round(timeoutMs / 1000)} s`);
    await sleep(500);
  }
}

const answers = async (address: string) => (await ping(address, { count: 1 })).lossPct < 100;

function ownInterface(config: AgentConfig, iface: string) {
  if (iface !== config.interface)
    throw new Error(`${iface} is not the interface this agent manages (${config.interface}).`);
}

export async function renew(config: AgentConfig, iface: string): Promise<string> {
  ownInterface(config, iface);
  const route = await networkRoute(config);
  if (route.via === 'networkmanager') return renewLeaseNm(iface);
  const attempt = await renewLease(iface, config.resolvConfPath);
  if (!attempt.leased)
    throw new Error(`No DHCP server gave ${iface} an address; the current address is kept.`);
  return `Got a lease for ${attempt.address ?? 'an address'} on ${iface} from ${attempt.server ?? 'the DHCP server'}.`;
}

async function restartInterface(config: AgentConfig, iface: string): Promise<string> {
  ownInterface(config, iface);
  const route = await networkRoute(config);
  if (route.via === 'networkmanager') return restartInterfaceNm(iface);
  await runOrThrow('ip', ['link', 'set', 'dev', iface, 'down']);
  await sleep(1000);
  await runOrThrow('ip', ['link', 'set', 'dev', iface, 'up']);
  await until(`${iface} got no carrier`, 15_000, async () => (await linkState(iface)).up);
  // Taking the link down dropped its routes: a new lease brings them back.
  const lease = await renew(config, iface);
  return `Restarted ${iface}. ${lease}`;
}

async function cycle(
  config: AgentConfig,
  which: 'modem' | 'router',
  offSeconds: number,
): Promise<string> {
  const plug = config.smartPlugs[which];
  if (!plug) throw new Error(`No smart plug is configured for the ${which}.`);
  await powerCycle(plug, offSeconds);
  // Back on is not back up: wait until the equipment answers again.
  const address = which === 'modem' ? config.modemAddress : await defaultGateway(config.interface);
  if (address) await until(`The ${which} did not answer again`, 120_000, () => answers(address));
  return `Power-cycled the ${which} (${offSeconds} s off); it answers again${address ? ` at ${address}` : ''}.`;
}

export async function applyAction(
  config: AgentConfig,
  action: ActionId,
  params: Record<string, unknown>,
): Promise<string> {
  switch (action) {
    case 'renew_dhcp_lease':
      return renew(config, remediationCatalog[action].params.parse(params).interface);
    case 'restart_interface':
      return restartInterface(config, remediationCatalog[action].params.parse(params).interface);
    case 'flush_dns': {
      const route = await networkRoute(config);
      const nm = route.via === 'networkmanager' ? `${await flushDnsNm()} ` : '';
      // Only a local caching resolver holds answers; without one there is nothing to flush.
      const flushed = await run('resolvectl', ['flush-caches']).catch(() => undefined);
      return flushed?.code === 0
        ? `${nm}Flushed the DNS cache (systemd-resolved).`
        : nm || 'This device keeps no DNS cache: names are looked up afresh.';
    }
    case 'switch_dns_fallback': {
      const { resolver } = remediationCatalog[action].params.parse(params);
      const route = await networkRoute(config);
      if (route.via === 'networkmanager') return useResolverNm(config, route.device, resolver);
      const previous = useResolver(config.resolvConfPath, resolver);
      return `Switched the DNS resolver to ${resolver}; the previous setting (${previous.join(', ') || 'none'}) is kept to restore.`;
    }
    case 'power_cycle_modem':
      return cycle(config, 'modem', remediationCatalog[action].params.parse(params).offSeconds);
    case 'power_cycle_router':
      return cycle(config, 'router', remediationCatalog[action].params.parse(params).offSeconds);
    case 'failover_lte': {
      if (!config.lte) throw new Error('No LTE interface is configured.');
      const { interface: lte, gateway } = config.lte;
      if (!(await linkState(lte)).up) throw new Error(`The LTE interface ${lte} has no link.`);
      const via = gateway ? ['via', gateway] : [];
      await runOrThrow('ip', [
        'route',
        'replace',
        'default',
        ...via,
        'dev',
        lte,
        'metric',
        LTE_METRIC,
      ]);
      return `The Pi now sends its traffic over LTE (${lte}); the wired default route is kept for failback.`;
    }
    case 'failback_wan': {
      if (!config.lte) throw new Error('No LTE interface is configured.');
      const wired = await defaultGateway(config.interface);
      if (!wired)
        throw new Error(
          `${config.interface} has no default route to fail back to; LTE stays in use.`,
        );
      await run('ip', [
        'route',
        'del',
        'default',
        'dev',
        config.lte.interface,
        'metric',
        LTE_METRIC,
      ]);
      return `The Pi sends its traffic over ${config.interface} (via ${wired}) again.`;
    }
    case 'router_set_dhcp_dns':
      return setDhcpDns(
        config,
        routerDeps(config),
        remediationCatalog[action].params.parse(params).servers,
      );
    case 'router_set_dhcp_gateway':
      return setDhcpGateway(
        config,
        routerDeps(config),
        remediationCatalog[action].params.parse(params).gateway,
      );
    case 'router_restart_wan':
      return restartWan(config);
  }
}

/** The router's fixes renew the box's own lease to see their change from the LAN. */
const routerDeps = (config: AgentConfig) => ({ renewLease: () => renew(config, config.interface) });

/** The undo of the router's DHCP changes: the settings the agent kept go back. */
export function undoRouterChange(config: AgentConfig): Promise<string> {
  return routerUndo(config, routerDeps(config));
}

/** The undo of switch_dns_fallback: the resolvers the agent kept go back. */
export async function restoreDns(config: AgentConfig): Promise<string> {
  const route = await networkRoute(config);
  if (route.via === 'networkmanager') return restoreResolversNm(config, config.interface);
  const restored = restoreResolvers(config.resolvConfPath);
  return restored
    ? `Restored the previous resolvers (${restored.join(', ') || 'none'}).`
    : 'Nothing to restore: the agent has not changed the DNS resolvers.';
}
