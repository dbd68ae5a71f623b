import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { MonitorConfig } from '../agent/monitor/config';
import { linuxProbes } from '../agent/monitor/linuxProbes';
import { startMonitor } from '../agent/monitor/monitor';
import { createMonitorQueue } from '../agent/monitor/queue';

// The monitor of bench/monitorFootprint.ts, run inside its box namespace: the real
// loop with the real Linux probes. At each interval's end it writes what two 30 s
// heartbeats of a minute would carry (the new interval, then the state alone) and
// acknowledges it, as the cloud does. One JSON line per interval on stdout.

const Args = z.object({
  iface: z.string(),
  resolvConfPath: z.string(),
  targets: z.array(z.string()),
  dnsName: z.string(),
  httpUrl: z.string(),
  intervalSeconds: z.number().int().positive(),
  queueFile: z.string(),
});
const args = Args.parse(JSON.parse(process.argv[2] ?? '{}'));
const config = MonitorConfig.parse({
  intervalSeconds: args.intervalSeconds,
  targets: args.targets,
  queueFile: args.queueFile,
});
writeFileSync(args.queueFile, '');
const queue = createMonitorQueue({ file: args.queueFile, limit: config.queueLimit, log: () => {} });
const monitor = startMonitor({
  config,
  queue,
  log: () => {},
  beatNow: () => {},
  source: linuxProbes({
    iface: args.iface,
    resolvConfPath: args.resolvConfPath,
    targets: config.targets,
    pingsPerTarget: config.pingsPerTarget,
    dnsName: args.dnsName,
    httpUrl: args.httpUrl,
    cloudPath: () => 'wired',
  }),
});

let seen = -1;
setInterval(() => {
  const report = monitor.report();
  const last = report?.intervals.at(-1);
  if (!report || !last || last.seq === seen) return;
  seen = last.seq;
  const withInterval = JSON.stringify(report).length;
  monitor.acknowledged(last.seq);
  const stateOnly = JSON.stringify(monitor.report()).length;
  console.log(
    JSON.stringify({ seq: last.seq, failed: last.failed, payloadBytes: withInterval + stateOnly }),
  );
}, 200);
