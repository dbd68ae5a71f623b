import { z } from 'zod';
import { CommandResult, DeviceCommand, type DiagnoseCommand } from '../contracts/device';
import { CheckResult, checkData, checkThresholds, type CheckName } from '../contracts/diagnostics';
import { parseRemediation, type ActionId } from '../contracts/remediation';
import type { JournalOutcome, RemediationJournal } from './journal';
import { sanitizeResult } from './sanitize';

// Runs the cloud's commands on the Pi. Every command is checked against the
// device protocol and the remediation catalog here, on the device: a command
// off the catalog never reaches the network tools, whoever sent it.

/** The network tools: the simulator today, the real Linux tools later. */
export interface Backend {
  runCheck(name: CheckName): CheckResult | Promise<CheckResult>;
  /** Carries out a catalog action and describes what it did; throws when it cannot. */
  apply(action: ActionId, params: Record<string, unknown>): string | Promise<string>;
}

export interface Executor {
  execute(command: unknown): Promise<CommandResult>;
}

/** What a check that could not run reports: nothing found working, nothing claimed. */
const unavailable: { [K in CheckName]: z.infer<(typeof checkData)[K]> } = {
  link: { interface: 'eth0', up: false },
  ip_config: { interface: 'eth0', dnsServers: [], leaseValid: false, linkLocalOnly: false },
  dhcp: { serverReachable: false, offerReceived: false },
  gateway: { arpResolved: false, lossPct: 100 },
  dns: { name: '', configured: { ok: false }, reference: { server: '0.0.0.0', ok: false } },
  internet: { targets: [] },
  http: { url: '', ok: false },
  traceroute: { target: '0.0.0.0', reachedTarget: false, hops: [] },
  modem: { managementAddress: '0.0.0.0', reachable: false },
  mdns: { services: [] },
  lte: { present: false },
  dhcp_servers: { interface: '', listenedMs: 0, servers: [] },
  dns_integrity: {
    name: '',
    slowThresholdMs: checkThresholds.dnsSlowMs,
    configured: { outcome: 'error', addresses: [] },
    reference: { outcome: 'error', addresses: [] },
    findings: [],
  },
  path_mtu: { target: '0.0.0.0', probes: [], minimumMtu: checkThresholds.minPathMtu },
  captive_portal: { url: '', reached: false, proxyHeaders: [], findings: [] },
  tcp_tls: { targets: [] },
  clock_offset: { server: '', maxOffsetMs: checkThresholds.maxClockOffsetMs },
  throughput: {
    server: '',
    minDownloadMbps: checkThresholds.minDownloadMbps,
    minUploadMbps: checkThresholds.minUploadMbps,
  },
  latency_under_load: {
    server: '',
    load: {},
    maxIdleRttMs: checkThresholds.maxIdleRttMs,
    maxLoadedRttIncreaseMs: checkThresholds.maxLoadedRttIncreaseMs,
  },
  router_api: { configured: false, reachable: false },
  ip_conflict: { interface: '', duplicates: [], findings: [] },
  ipv6: {
    interface: '',
    offered: false,
    prefixes: [],
    targets: [],
    dns: { name: '', outcome: 'error', addresses: [] },
    findings: [],
  },
  lan_inventory: { interface: '', limited: false, swept: 0, answering: 0, devices: [] },
  wifi: { interface: '', wireless: false, connected: false, findings: [] },
};

function errorText(err: unknown, max: number): string {
  const text =
    err instanceof z.ZodError
      ? z.prettifyError(err)
      : err instanceof Error
        ? err.message
        : String(err);
  return text.slice(0, max);
}

/** The commandId and kind to answer a refused command with, as far as they can be read. */
function replyAddress(command: unknown): { commandId: string; kind: 'diagnose' | 'remediate' } {
  const raw = (command ?? {}) as { commandId?: unknown; kind?: unknown };
  const commandId =
    typeof raw.commandId === 'string' && raw.commandId.length > 0 && raw.commandId.length <= 200
      ? raw.commandId
      : 'unknown';
  return { commandId, kind: raw.kind === 'remediate' ? 'remediate' : 'diagnose' };
}

export function createExecutor({
  backend,
  journal,
}: {
  backend: Backend;
  journal: RemediationJournal;
}): Executor {
  const runCheck = async (name: CheckName): Promise<CheckResult> => {
    const started = Date.now();
    try {
      const result = CheckResult.parse(await backend.runCheck(name));
      if (result.check !== name) throw new Error(`asked for ${name}, got ${result.check}`);
      return result;
    } catch (err) {
      const durationMs = Date.now() - started;
      const error = `The check could not run: ${errorText(err, 450)}`;
      return { check: name, ok: false, durationMs, data: unavailable[name], error } as CheckResult;
    }
  };

  const diagnose = async (command: DiagnoseCommand): Promise<CommandResult> => {
    const results: CheckResult[] = [];
    // One at a time: checks share the link and would skew each other's timings.
    for (const name of command.checks) results.push(sanitizeResult(await runCheck(name)));
    return { commandId: command.commandId, kind: 'diagnose', ok: true, results, sanitized: true };
  };

  return {
    async execute(command) {
      const parsed = DeviceCommand.safeParse(command);
      if (!parsed.success) {
        return {
          ...replyAddress(command),
          ok: false,
          error: `Refused: ${errorText(parsed.error, 900)}`,
        };
      }
      const cmd = parsed.data;
      if (cmd.kind === 'diagnose') return diagnose(cmd);

      const reply = { commandId: cmd.commandId, kind: 'remediate' } as const;
      let action: { action: ActionId; params: Record<string, unknown> };
      try {
        action = parseRemediation(cmd.action, cmd.params);
      } catch (err) {
        const error = `Refused: not in the remediation catalog: ${errorText(err, 850)}`;
        return { ...reply, ok: false, error };
      }
      let outcome: JournalOutcome;
      try {
        outcome = await journal.run(cmd.idempotencyKey, action.action, () =>
          backend.apply(action.action, action.params),
        );
      } catch (err) {
        // The journal could not be written (disk full, read-only): report it rather than go silent.
        return {
          ...reply,
          ok: false,
          error: `The remediation journal failed: ${errorText(err, 900)}`,
        };
      }
      const message = outcome.message.slice(0, 1000);
      return outcome.ok
        ? { ...reply, ok: true, outcome: { executed: outcome.executed, message } }
        : { ...reply, ok: false, error: message };
    },
  };
}
