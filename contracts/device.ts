import { z } from 'zod';
import { checkNames } from './checks';
import { CaseStatus } from './case';
import { CheckName, CheckResult } from './diagnostics';
import { ActionId } from './remediation';
import { CloudPath } from './cloudPath';
import { MonitorReport } from './monitor';

// The device protocol over socket.io (namespace /device), both directions.

export const DiagnoseCommand = z.object({
  commandId: z.string().min(1).max(200),
  caseId: z.string().min(1).max(100),
  kind: z.literal('diagnose'),
  checks: z.array(CheckName).min(1).max(checkNames.length),
});

export const RemediateCommand = z.object({
  commandId: z.string().min(1).max(200),
  caseId: z.string().min(1).max(100),
  kind: z.literal('remediate'),
  action: ActionId,
  params: z.record(z.string(), z.unknown()),
  /** The agent's journal runs each key at most once, whatever is resent. */
  idempotencyKey: z.string().min(1).max(200),
});

export const DeviceCommand = z.discriminatedUnion('kind', [DiagnoseCommand, RemediateCommand]);
export type DeviceCommand = z.infer<typeof DeviceCommand>;
export type DiagnoseCommand = z.infer<typeof DiagnoseCommand>;
export type RemediateCommand = z.infer<typeof RemediateCommand>;

export const RemediationOutcome = z.object({
  /** False when the journal already had this key: the action did not run again. */
  executed: z.boolean(),
  message: z.string().max(1000),
});
export type RemediationOutcome = z.infer<typeof RemediationOutcome>;

/** What the device sends back with the event `command:result`. */
export const CommandResult = z.union([
  z.object({
    commandId: z.string().min(1).max(200),
    kind: z.literal('diagnose'),
    ok: z.literal(true),
    results: z.array(CheckResult).max(checkNames.length),
    sanitized: z.literal(true),
  }),
  z.object({
    commandId: z.string().min(1).max(200),
    kind: z.literal('remediate'),
    ok: z.literal(true),
    outcome: RemediationOutcome,
  }),
  z.object({
    commandId: z.string().min(1).max(200),
    kind: z.enum(['diagnose', 'remediate']),
    ok: z.literal(false),
    error: z.string().max(1000),
  }),
]);
export type CommandResult = z.infer<typeof CommandResult>;

/** Server → device `case:status`: the device's case moved (it drives the status LED). */
export const CaseStatusEvent = z.object({
  caseId: z.string().min(1).max(100),
  status: CaseStatus,
});
export type CaseStatusEvent = z.infer<typeof CaseStatusEvent>;

export { CloudPath } from './cloudPath';

/** LTE data this calendar month (UTC), as the box's LTE interface counted it both ways. */
export const LteData = z.object({
  month: z.string().regex(/^\d{4}-\d{2}$/),
  bytes: z.number().int().nonnegative(),
  /** The month's budget, when one is set (agent config `cloudLink.monthlyBudgetMB`). */
  budgetBytes: z.number().int().positive().optional(),
  /** The budget is used up: the box keeps to what agent/README.md "LTE data" says. */
  exhausted: z.boolean(),
  /** What the box does over LTE once the budget is used (agent config `cloudLink.whenBudgetUsed`). */
  whenUsed: z.enum(['minimal', 'offline']).optional(),
});
export type LteData = z.infer<typeof LteData>;

/** Device → server `heartbeat`, every 30 s on the office network (configurable on LTE). */
export const Heartbeat = z.object({
  led: z.string().max(40).optional(),
  uptimeSeconds: z.number().nonnegative().optional(),
  summary: z.string().max(500).optional(),
  /** The LTE backup link, when the Pi has a modem. */
  lte: z
    .object({
      signalDbm: z.number().min(-150).max(0).optional(),
      registered: z.boolean().optional(),
    })
    .optional(),
  /** The path the box's own cloud link takes now. */
  cloudPath: CloudPath.optional(),
  lteData: LteData.optional(),
  /** The continuous monitor's state and the intervals the cloud has not acknowledged. */
  monitor: MonitorReport.optional(),
});
export type Heartbeat = z.infer<typeof Heartbeat>;
