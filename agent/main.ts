import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Socket } from 'socket.io-client';
import { checkNames } from '../contracts/checks';
import { CheckName } from '../contracts/diagnostics';
import { loadConfig, type AgentConfig } from './config';
import { jsonLog } from './log';
import { startCloudLink } from './cloud/link';
import { createExecutor, type Executor } from './executor';
import { createJournal } from './journal';
import { enroll, piIdentity } from './enrollment';
import { restoreDns, undoRouterChange } from './linux/actions';
import { createLinuxBackend, type Providers } from './linux/backend';
import { peripheralProviders, startPeripherals } from './peripherals/attach';
import { attachMonitor } from './monitor/attach';
import { linuxProbes } from './monitor/linuxProbes';
import { startSimulatedAgent } from './simulatedAgent';

// The Pi agent's entry point.
//   --config <file>          the real agent: Linux tools, connected to the API
//   --config <file> check [names...]         run checks here and print the results (JSON)
//   --config <file> apply <action> [params]  carry out one catalog action here (JSON params)
//   --config <file> restore-dns              undo switch_dns_fallback: the kept resolvers go back
//   --config <file> router-undo              undo the router's DHCP changes: the kept settings go back
//   --simulate <scenario>[,<scenario>...]   network models instead of the real tools (npm
//                            start, demos): one simulated device per scenario in this process,
//                            with the tokens in ZEN_DEVICE_TOKEN (comma-separated, same order)
//   --config <file> --enroll <code> [--force] [--device-id <id> --serial <sn>]
//                            trade a one-time enrollment code for the device token (tokenFile)

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    config: { type: 'string' },
    simulate: { type: 'string' },
    api: { type: 'string' },
    journal: { type: 'string', default: process.env.ZEN_AGENT_JOURNAL },
    enroll: { type: 'string' },
    force: { type: 'boolean', default: false },
    'device-id': { type: 'string' },
    serial: { type: 'string' },
  },
});

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

function realExecutor(config: AgentConfig, providers: Providers): Executor {
  return createExecutor({
    backend: createLinuxBackend(config, providers),
    journal: createJournal(values.journal ?? config.journalPath),
  });
}

/** The command line's own commands: what a technician runs on the box. */
async function runLocal(config: AgentConfig, [command, ...args]: string[]): Promise<void> {
  const executor = realExecutor(config, peripheralProviders(config));
  const commandId = `local-${Date.now()}`;
  const caseId = 'local';
  if (command === 'check') {
    const checks = args.length > 0 ? args.map((name) => CheckName.parse(name)) : [...checkNames];
    console.log(
      JSON.stringify(await executor.execute({ commandId, caseId, kind: 'diagnose', checks })),
    );
    return;
  }
  if (command === 'apply' && args[0]) {
    const params: unknown = JSON.parse(args[1] ?? '{}');
    const result = await executor.execute({
      commandId,
      caseId,
      kind: 'remediate',
      action: args[0],
      params,
      idempotencyKey: commandId,
    });
    console.log(JSON.stringify(result));
    if (!result.ok) process.exitCode = 1;
    return;
  }
  const undo = { 'restore-dns': restoreDns, 'router-undo': undoRouterChange }[command ?? ''];
  if (undo && args.length === 0) {
    const outcome = await undo(config).then(
      (message) => ({ ok: true, message }),
      (err: Error) => ({ ok: false, error: err.message }),
    );
    console.log(JSON.stringify(outcome));
    if (!outcome.ok) process.exitCode = 1;
    return;
  }
  fail(
    `Unknown command "${[command, ...args].join(' ')}": use check [names...], apply <action> [params], restore-dns or router-undo`,
  );
}

function deviceToken(config?: AgentConfig): string {
  if (config?.tokenFile) return readFileSync(config.tokenFile, 'utf8').trim();
  const token = process.env.ZEN_DEVICE_TOKEN;
  if (!token) fail('No device token: set tokenFile in the config or ZEN_DEVICE_TOKEN.');
  return token;
}

/** Several simulated devices in one process: one scenario and one token each. */
function simulate(
  apiUrl: string,
  scenarios: string[],
  tokens: string[],
  journalBase: string | undefined,
): Socket[] {
  if (tokens.length !== scenarios.length) {
    fail(
      `--simulate names ${scenarios.length} scenario(s) but ZEN_DEVICE_TOKEN holds ${tokens.length} token(s): give one token per device, comma-separated.`,
    );
  }
  // One journal file per device: the journal is what keeps each device's fixes from repeating.
  const journal = (i: number) =>
    journalBase && scenarios.length > 1 ? `${journalBase}.${i}` : journalBase;
  return scenarios.map(
    (scenario, i) =>
      startSimulatedAgent({
        apiUrl,
        token: tokens[i]!,
        scenario,
        journalPath: journal(i),
        // The box watches its simulated network as a real one watches the office's.
        monitor: {},
      }).socket,
  );
}

function connect(config: AgentConfig | undefined): Socket[] {
  const apiUrl = values.api ?? config?.apiUrl ?? process.env.ZEN_API_URL ?? 'http://127.0.0.1:4000';
  const token = deviceToken(config);
  if (values.simulate) {
    const journalBase = values.journal ?? config?.journalPath;
    return simulate(apiUrl, values.simulate.split(','), token.split(','), journalBase);
  }
  if (!config) fail('Give the real agent its config file (--config) or a scenario (--simulate).');
  const peripherals = startPeripherals(config);
  const executor = realExecutor(config, peripherals.providers);
  const started = Date.now();
  // The monitor and the link need each other: it beats through the link, the link asks it
  // for its report. Its probes answer only after the link below exists.
  const monitor = attachMonitor({
    config: config.monitor,
    stateDir: config.network.stateDir,
    source: linuxProbes({
      iface: config.interface,
      resolvConfPath: config.resolvConfPath,
      targets: config.monitor.targets,
      pingsPerTarget: config.monitor.pingsPerTarget,
      dnsName: config.monitor.dnsName ?? config.dnsTestName,
      httpUrl: config.monitor.httpUrl ?? config.captivePortal.url,
      cloudPath: () => link.path(),
    }),
    log: jsonLog,
    beatNow: () => link.socket.beatNow(),
  });
  const link = startCloudLink({
    config: { ...config, apiUrl },
    token,
    health: () => {
      const health = {
        ...peripherals.heartbeat(),
        uptimeSeconds: Math.round((Date.now() - started) / 1000),
        summary: 'ok',
      };
      return monitor ? monitor.withReport(health) : health;
    },
    onHeartbeatAck: monitor?.onHeartbeatAck,
    lteRegistered: () => peripherals.heartbeat().lte?.registered,
    onCommand: (command) => executor.execute(command),
    onEvent: (event) => peripherals.light.handle(event),
    log: jsonLog,
  });
  const socket = link.socket;
  return [socket];
}

async function main() {
  let config: AgentConfig | undefined;
  try {
    config = values.config ? loadConfig(values.config) : undefined;
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  if (values.enroll !== undefined) {
    if (!config?.tokenFile) fail('Enrollment needs the config file (--config) with tokenFile.');
    const identity =
      values['device-id'] && values.serial
        ? { deviceId: values['device-id'], serialNumber: values.serial }
        : piIdentity();
    try {
      await enroll({
        apiUrl: values.api ?? config.apiUrl,
        tls: config.tls,
        code: values.enroll,
        tokenPath: config.tokenFile,
        overwrite: values.force,
        ...identity,
      });
    } catch (err) {
      fail(err instanceof Error ? err.message : String(err));
    }
    console.log(`Enrolled as ${identity.deviceId}; the device token is in ${config.tokenFile}.`);
    return;
  }
  if (positionals.length > 0) {
    if (!config) fail('Local commands need the config file (--config).');
    await runLocal(config, positionals);
    return;
  }
  let sockets: Socket[];
  try {
    sockets = connect(config);
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const socket of sockets) socket.disconnect();
      process.exit(0);
    });
  }
}

void main();
