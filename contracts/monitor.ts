import { z } from 'zod';
import { CloudPath } from './cloudPath';

// The box's continuous monitor (agent/monitor/): what it measures every interval,
// what it reports with the heartbeat, and how the cloud serves it back as history.

/** What the monitor probes: the office's gateway, its resolver, the internet by address, a web page. */
export const ProbeTarget = z.enum(['gateway', 'dns', 'internet', 'http']);
export type ProbeTarget = z.infer<typeof ProbeTarget>;

/** Round trips of one kind of probe in one interval. */
export const ProbeStats = z.object({
  sent: z.number().int().nonnegative().max(10_000),
  lost: z.number().int().nonnegative().max(10_000),
  /** Latency of the answered probes, milliseconds; absent when none answered. */
  p50Ms: z.number().nonnegative().max(120_000).optional(),
  p95Ms: z.number().nonnegative().max(120_000).optional(),
});
export type ProbeStats = z.infer<typeof ProbeStats>;

/**
 * One interval's summary (a minute by default). `seq` counts the box's intervals; the
 * cloud stores each interval under its start minute, so one sent twice counts once.
 */
export const MonitorInterval = z.object({
  seq: z.number().int().nonnegative(),
  /** The interval's first minute, UTC, ISO 8601 with seconds zero. */
  start: z.iso.datetime(),
  seconds: z.number().int().positive().max(3600),
  gateway: ProbeStats.optional(),
  internet: ProbeStats.optional(),
  dns: ProbeStats.optional(),
  /** HTTP runs every few minutes: present only in the intervals where it ran. */
  http: ProbeStats.optional(),
  /** The targets whose probes failed in this interval (all lost, or all lookups failed). */
  failed: z.array(ProbeTarget).max(4),
  /** The path the box's own cloud link took at the interval's end. */
  path: CloudPath.optional(),
});
export type MonitorInterval = z.infer<typeof MonitorInterval>;

/**
 * The monitor's judgement: a fault is confirmed by consecutive failing probes and
 * cleared by consecutive passing ones (flap damping, agent config `monitor`).
 */
export const MonitorState = z.object({
  state: z.enum(['healthy', 'fault']),
  /** What fails while in fault (empty when healthy). */
  failing: z.array(ProbeTarget).max(4),
  /** When the current state was confirmed. */
  since: z.iso.datetime(),
  /** Faults confirmed in the last hour: a flapping line shows here rather than as many cases. */
  flaps: z.number().int().nonnegative().max(1000).optional(),
});
export type MonitorState = z.infer<typeof MonitorState>;

/** Intervals per heartbeat at most: a long backlog drains over several beats. */
export const maxIntervalsPerBeat = 120;

/** What the heartbeat carries from the monitor (contracts/device.ts Heartbeat.monitor). */
export const MonitorReport = z.object({
  state: MonitorState,
  /** Intervals not yet acknowledged, oldest first. */
  intervals: z.array(MonitorInterval).max(maxIntervalsPerBeat),
});
export type MonitorReport = z.infer<typeof MonitorReport>;

/** The server's answer to a heartbeat: the highest interval seq it has stored. */
export const HeartbeatAck = z.object({
  ok: z.boolean(),
  monitorSeq: z.number().int().nonnegative().optional(),
  error: z.string().optional(),
});
export type HeartbeatAck = z.infer<typeof HeartbeatAck>;

// ---- history, as the API serves it (GET /api/devices/:deviceId/health…) ----

export const HistoryResolution = z.enum(['minute', 'hour']);
export type HistoryResolution = z.infer<typeof HistoryResolution>;

export const HistoryQuery = z.object({
  /** From, to: ISO times; default the last 24 hours. Minute resolution reaches back 48 hours. */
  from: z.iso.datetime().optional(),
  to: z.iso.datetime().optional(),
  resolution: HistoryResolution.optional(),
});
export type HistoryQuery = z.infer<typeof HistoryQuery>;

/** One point of the history: a minute, or an hour summarising its minutes. */
export const HistoryPoint = z.object({
  at: z.iso.datetime(),
  /** Minutes measured in this point, and minutes in which something failed. */
  minutes: z.number().int().nonnegative(),
  failedMinutes: z.number().int().nonnegative(),
  internetLossPct: z.number().min(0).max(100).optional(),
  internetP50Ms: z.number().nonnegative().optional(),
  internetP95Ms: z.number().nonnegative().optional(),
  gatewayP50Ms: z.number().nonnegative().optional(),
  dnsP50Ms: z.number().nonnegative().optional(),
  failed: z.array(ProbeTarget),
});
export type HistoryPoint = z.infer<typeof HistoryPoint>;

export const Outage = z.object({
  id: z.string(),
  /** `offline`: the box itself was silent; the others are what its monitor saw fail. */
  kind: z.enum(['offline', 'internet', 'gateway', 'dns', 'http']),
  start: z.iso.datetime(),
  /** Absent while the outage goes on. */
  end: z.iso.datetime().optional(),
  failed: z.array(ProbeTarget),
  /** The case the outage opened, when it opened one. */
  caseId: z.string().optional(),
});
export type Outage = z.infer<typeof Outage>;

export const Uptime = z.object({
  /** Share of measured minutes without a failure, 0–100; absent when nothing was measured. */
  day: z.number().min(0).max(100).optional(),
  week: z.number().min(0).max(100).optional(),
  month: z.number().min(0).max(100).optional(),
});
export type Uptime = z.infer<typeof Uptime>;

export const DeviceHistory = z.object({
  deviceId: z.string(),
  resolution: HistoryResolution,
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  points: z.array(HistoryPoint),
  uptime: Uptime,
  /** The box's current state: online or not, and what its monitor says now. */
  current: z.object({
    online: z.boolean(),
    lastSeen: z.iso.datetime().optional(),
    monitor: MonitorState.optional(),
    cloudPath: CloudPath.optional(),
  }),
});
export type DeviceHistory = z.infer<typeof DeviceHistory>;

export const OutageList = z.object({ deviceId: z.string(), outages: z.array(Outage) });
export type OutageList = z.infer<typeof OutageList>;
