import type { CloudPath, CommandResult, Heartbeat } from '../../contracts/device';
import type { AgentConfig } from '../config';
import { connectAgent, type AgentLinkOptions, type AgentSocket } from '../connection';
import { nameservers } from '../linux/resolvConf';
import type { Log } from '../log';
import type { AgentEvent } from '../peripherals/ledState';
import { createCloudAddressBook, type ResolverSource } from './cloudAddress';
import { createLteMeter } from './lteMeter';
import { lteAddress, routeFromLte } from './lteRoute';
import { PathPolicy } from './pathPolicy';
import { cloudAnswers } from './reachability';
import { cloudRequestAgent, trustFailure, type CloudRoute } from './trust';

// The box's own link to the cloud, over the office network or its LTE modem
// (agent/README.md "Two ways to the cloud"). On wired, a light probe every few
// seconds tells whether the cloud still answers (wired data is free); once it has
// not for `failoverAfterSeconds` and LTE is usable, the link reconnects over LTE.
// On LTE, the wired path is tried in the background, and the link goes back once
// it has answered steadily for `holdSeconds`.

export interface CloudLinkOptions {
  config: AgentConfig;
  token: string;
  health: () => Heartbeat;
  onHeartbeatAck?: AgentLinkOptions['onHeartbeatAck'];
  onCommand: (command: unknown) => Promise<CommandResult>;
  onEvent: (event: AgentEvent) => void;
  /** Whether the LTE modem is registered; undefined when no modem can be asked. */
  lteRegistered?: () => boolean | undefined;
  log: Log;
}

export interface CloudLink {
  socket: AgentSocket;
  path(): CloudPath;
  close(): void;
}

const wiredHeartbeatMs = 30_000;
/** Heartbeats once the month's LTE budget is used and the link stays minimal. */
const minimalHeartbeatMs = 60 * 60_000;
const probeTimeoutMs = 4_000;
const tickMs = 1_000;

export function startCloudLink(options: CloudLinkOptions): CloudLink {
  const { config, log } = options;
  const apiUrl = new URL(config.apiUrl);
  const settings = config.cloudLink;
  const lte = config.lte;
  if (!lte && config.cloudPath !== 'wired') {
    log('no LTE interface configured: the cloud link uses the office network only');
  }
  const mode = lte ? config.cloudPath : 'wired';
  const policy = new PathPolicy(
    {
      mode,
      failoverAfterMs: settings.failoverAfterSeconds * 1000,
      holdMs: settings.holdSeconds * 1000,
    },
    Date.now(),
  );
  const meter =
    lte &&
    createLteMeter({
      iface: lte.interface,
      stateDir: config.network.stateDir,
      budgetBytes:
        settings.monthlyBudgetMB === undefined
          ? undefined
          : Math.round(settings.monthlyBudgetMB * 1_000_000),
      whenUsed: settings.whenBudgetUsed,
      log,
    });
  let lteSource: string | undefined;

  const book = createCloudAddressBook({ stateDir: config.network.stateDir, log });
  const office: ResolverSource = {
    name: 'office',
    servers: () => nameservers(config.resolvConfPath),
  };
  const carrier: ResolverSource | undefined = lte && {
    name: 'LTE',
    servers: () => [lte.dns ?? lte.gateway].filter((s): s is string => s !== undefined),
    localAddress: () => lteSource,
  };
  const noLte: NonNullable<CloudRoute['lookup']> = (_host, _options, callback) =>
    callback(Object.assign(new Error('LTE is not usable'), { code: 'ENETUNREACH' }), '', 4);
  const routeFor = (path: CloudPath): CloudRoute => {
    // Never the office network for a link that must go over LTE.
    if (path === 'lte' && !lteSource) return { lookup: noLte };
    const sources = path === 'lte' ? [carrier] : [office, lteSource ? carrier : undefined];
    return {
      localAddress: path === 'lte' ? lteSource : undefined,
      lookup: book.lookup(() => sources.filter((s): s is ResolverSource => s !== undefined)),
    };
  };
  // Each new connection asks which way to go: a path switch needs only a reconnect.
  const agent = cloudRequestAgent(config, () => routeFor(policy.path));
  const wiredAgent = cloudRequestAgent(config, () => routeFor('wired'));

  const budgetUsed = () => meter?.sample().exhausted === true;
  const heartbeatMs = () => {
    if (policy.path === 'wired') return wiredHeartbeatMs;
    // The beat just sampled the counters: its figure decides the next interval.
    return meter?.report().exhausted ? minimalHeartbeatMs : settings.lteHeartbeatSeconds * 1000;
  };

  const socket = connectAgent({
    apiUrl: config.apiUrl,
    token: options.token,
    agent,
    heartbeatMs,
    log,
    health: () => ({
      ...options.health(),
      cloudPath: policy.path,
      ...(meter && { lteData: meter.sample() }),
    }),
    onHeartbeatAck: options.onHeartbeatAck,
    onCommand: options.onCommand,
    onEvent: (event) =>
      options.onEvent(event.type === 'connected' ? { ...event, path: policy.path } : event),
  });
  socket.on('connect', () => {
    policy.answered();
    log(`cloud link: connected over ${policy.path === 'lte' ? 'LTE' : 'the office network'}`);
  });
  socket.on('disconnect', () => policy.silent(Date.now()));
  socket.on('connect_error', (err) => {
    policy.silent(Date.now());
    const refused = trustFailure(err);
    if (refused) {
      log(refused);
      options.onEvent({ type: 'untrusted' });
    }
  });

  /** Whether LTE can carry the link now; routes the LTE address through the carrier if so. */
  async function lteUsable(): Promise<boolean> {
    if (!lte) return false;
    if (budgetUsed() && settings.whenBudgetUsed === 'offline') return false;
    if (options.lteRegistered?.() === false) return false;
    const { address, why } = await lteAddress(lte.interface);
    if (!address) {
      if (policy.path === 'lte' || lteSource) log(`cloud link: LTE is not usable: ${why}`);
      lteSource = undefined;
      return false;
    }
    try {
      await routeFromLte({ iface: lte.interface, gateway: lte.gateway }, address);
    } catch (err) {
      log(`cloud link: cannot route the cloud over LTE: ${(err as Error).message}`);
      return false;
    }
    const moved = lteSource !== undefined && lteSource !== address;
    lteSource = address;
    // The carrier gave the box another address: the link's socket is bound to the old one.
    if (moved && policy.path === 'lte') socket.reconnectNow();
    return true;
  }

  function switchTo(path: CloudPath) {
    log(
      path === 'lte'
        ? `cloud link: the office network has not reached the cloud for ${Math.round(policy.failingFor(Date.now()) / 1000) || settings.failoverAfterSeconds} s; moving the box's own link to LTE (${lte!.interface}, ${lteSource})`
        : `cloud link: moving back to the office network`,
    );
    socket.reconnectNow();
  }

  let lteRefusedAt = -Infinity;
  let busy = false;
  const step = async (work: () => Promise<void>) => {
    if (busy) return;
    busy = true;
    try {
      await work();
    } catch (err) {
      log(`cloud link: ${(err as Error).message}`);
    } finally {
      busy = false;
    }
  };
  const timers: NodeJS.Timeout[] = [];
  if (mode === 'auto') {
    // Wired: is the cloud still answering? A failover is considered only once it has not.
    timers.push(
      setInterval(() => {
        if (policy.path !== 'wired' || !socket.connected) return;
        const sent = Date.now();
        socket.timeout(probeTimeoutMs).emit('link:probe', (err: Error | null) => {
          if (policy.path !== 'wired') return;
          if (err) policy.silent(sent);
          else policy.answered();
        });
      }, settings.wiredProbeSeconds * 1000),
      setInterval(
        () =>
          void step(async () => {
            const now = Date.now();
            if (policy.path !== 'wired' || !policy.wantsLte(now)) return;
            // A box whose LTE is not usable asks again only now and then, not every second.
            if (now - lteRefusedAt < settings.wiredCheckSeconds * 1000) return;
            const usable = await lteUsable();
            if (!usable) lteRefusedAt = now;
            const next = policy.decide(now, usable);
            if (next) switchTo(next);
          }),
        tickMs,
      ),
      // LTE: is the office network back? Checked over it, never over LTE.
      setInterval(
        () =>
          void step(async () => {
            if (policy.path !== 'lte') return;
            const reaches = await cloudAnswers(apiUrl, wiredAgent, probeTimeoutMs);
            policy.wiredChecked(reaches, Date.now());
            const next = policy.decide(Date.now(), await lteUsable());
            if (next) switchTo(next);
          }),
        settings.wiredCheckSeconds * 1000,
      ),
    );
  } else if (mode === 'lte') {
    const ensureLte = () =>
      step(async () => {
        const had = lteSource;
        if (!(await lteUsable())) log('cloud link: set to LTE, but LTE is not usable yet');
        else if (!had) socket.reconnectNow();
      });
    void ensureLte();
    timers.push(setInterval(() => void ensureLte(), settings.wiredCheckSeconds * 1000));
  }

  return {
    socket,
    path: () => policy.path,
    close() {
      for (const timer of timers) clearInterval(timer);
      socket.disconnect();
      agent.destroy();
      wiredAgent.destroy();
    },
  };
}
