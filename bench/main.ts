import { parseArgs } from 'node:util';
import { formatFootprint, measureAgentFootprint } from './agentFootprint';
import { formatCaseThroughput, measureCaseThroughput } from './caseThroughput';
import { formatDeviceTraffic, measureDeviceTraffic } from './deviceTraffic';
import { fleetTargets, formatFleetHeartbeats, measureFleetHeartbeats } from './fleetHeartbeats';
import { formatHealthScale, measureHealthScale } from './healthScale';
import { formatKpi, measureKpi } from './kpiReport';
import { formatListPaging, measureListPaging } from './listPaging';
import { formatMonitorFootprint, measureMonitorFootprint } from './monitorFootprint';
import type { Shape } from './shapes';
import { formatWaitingCases, measureWaitingCases } from './waitingCases';
import { formatWorkerScaling, measureWorkerScaling } from './workerScaling';

// `npm run bench -- [flags]`: measurements against their targets, one section
// each, every section on a fresh stack of its own. Progress goes to stderr;
// with --json, stdout is one JSON object per section. Exits 1 when a target is missed.
//
//   --cases N       N concurrent support cases end to end, in --rounds R (3) between
//                   runs of the baseline workflow
//   --waiting N     N open cases waiting for approval: the worker's memory, and --approvals A
//                   (200) of them approved one after another: approval -> fix reaches the box;
//                   --direct as for --boxes
//   --boxes N       N boxes (10000), each its own socket, a heartbeat every 30 s, for --seconds S:
//                   heartbeat p99, the API's memory per 1,000 boxes and its CPU; with
//                   --direct the boxes connect to the API instances themselves, half each,
//                   not through HAProxy (which holds two open files a box)
//   --scaling N     N concurrent cases a round with one worker, then with all, alternating for
//                   --pairs P (2) pairs of rounds (always at the cluster shape: two workers)
//   --cluster       the sections above (--cases, --waiting, --boxes, --scaling) at the production
//                   shape: a real Temporal server and FerretDB on PostgreSQL, two API instances
//                   behind HAProxy, two workers (cluster/). Alone, the cluster set:
//                   --boxes 10000 --scaling 20 --cases 20 --waiting 10000
//   --heartbeats    device heartbeats and result posts at --rate R per second (500)
//                   for --seconds S (30)
//   --footprint     the idle agent's memory and CPU for --seconds S (30)
//   --health N      N boxes (10000) reporting monitor intervals every minute for --seconds S:
//                   heartbeat p99, database writes per second, storage per box per month
//   --monitor       the box monitor's CPU and data a day, measured for --seconds S (30)
//                   in network namespaces (root; in the default set when run as root)
//   --kpi N         N closed cases in the store: how long GET /api/kpi over 30 days and a
//                   /metrics scrape take (figures, no target; not in the default set)
//   --paging N      N boxes (10000) with their sites, customers and a case each: an operator's
//                   first and middle pages of GET /api/devices and GET /api/cases, p50/p99
//                   over --runs R (20) (figures, no target; not in the default set)
//   --json          one JSON object per section on stdout
// No section flag runs the default set: --cases 20 --waiting 100 --heartbeats --health 10000
// --footprint (at the dev servers' shape).

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    cases: { type: 'string' },
    rounds: { type: 'string' },
    waiting: { type: 'string' },
    approvals: { type: 'string' },
    boxes: { type: 'string' },
    scaling: { type: 'string' },
    pairs: { type: 'string' },
    cluster: { type: 'boolean', default: false },
    direct: { type: 'boolean', default: false },
    heartbeats: { type: 'boolean', default: false },
    rate: { type: 'string' },
    seconds: { type: 'string' },
    footprint: { type: 'boolean', default: false },
    health: { type: 'string' },
    monitor: { type: 'boolean', default: false },
    kpi: { type: 'string' },
    paging: { type: 'string' },
    runs: { type: 'string' },
  },
});

function whole(value: string | undefined, fallback: number): number {
  const n = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`Not a positive whole number: ${value}`);
  return n;
}

const shape: Shape = values.cluster ? 'cluster' : 'dev';
const clusterSections =
  values.cases !== undefined ||
  values.waiting !== undefined ||
  values.boxes !== undefined ||
  values.scaling !== undefined;
const devOnly =
  values.heartbeats ||
  values.footprint ||
  values.health !== undefined ||
  values.monitor ||
  values.kpi !== undefined ||
  values.paging !== undefined;
if (values.cluster && devOnly) {
  throw new Error(
    '--cluster applies to --cases, --waiting, --boxes and --scaling; the other sections run at the dev shape.',
  );
}
/** Alone, --cluster runs the cluster set. */
const clusterSet = values.cluster && !clusterSections;
const all =
  !values.cluster &&
  values.cases === undefined &&
  values.waiting === undefined &&
  values.boxes === undefined &&
  values.scaling === undefined &&
  !values.heartbeats &&
  !values.footprint &&
  values.health === undefined &&
  !values.monitor &&
  values.kpi === undefined &&
  values.paging === undefined;
const seconds = whole(values.seconds, 30);

interface Section {
  run(): Promise<{ ok: boolean }>;
  format(result: never): string;
}

const sections: Section[] = [];
if (clusterSet || values.boxes !== undefined) {
  sections.push({
    run: () =>
      measureFleetHeartbeats({
        boxes: whole(values.boxes || undefined, fleetTargets.boxes),
        seconds: whole(values.seconds, 60),
        shape,
        direct: values.direct,
      }),
    format: formatFleetHeartbeats,
  });
}
if (clusterSet || values.scaling !== undefined) {
  sections.push({
    run: () =>
      measureWorkerScaling({
        cases: whole(values.scaling || undefined, 20),
        pairs: whole(values.pairs, 2),
      }),
    format: formatWorkerScaling,
  });
}
if (all || clusterSet || values.cases !== undefined) {
  sections.push({
    run: () =>
      measureCaseThroughput({
        cases: whole(values.cases, 20),
        rounds: whole(values.rounds, 3),
        shape,
      }),
    format: formatCaseThroughput,
  });
}
if (all || clusterSet || values.waiting !== undefined) {
  sections.push({
    run: () =>
      measureWaitingCases({
        cases: whole(values.waiting, clusterSet ? 10_000 : 100),
        approvals: whole(values.approvals, 200),
        shape,
        direct: values.direct,
      }),
    format: formatWaitingCases,
  });
}
if (all || values.heartbeats) {
  sections.push({
    run: () => measureDeviceTraffic({ rate: whole(values.rate, 500), seconds }),
    format: formatDeviceTraffic,
  });
}
if (all || values.health !== undefined) {
  sections.push({
    run: () => measureHealthScale({ boxes: whole(values.health || undefined, 10_000), seconds }),
    format: formatHealthScale,
  });
}
if (all || values.footprint) {
  sections.push({
    run: () => measureAgentFootprint({ seconds }),
    format: formatFootprint,
  });
}

if (values.kpi !== undefined) {
  sections.push({
    run: () => measureKpi({ cases: whole(values.kpi || undefined, 10_000) }),
    format: formatKpi,
  });
}

if (values.paging !== undefined) {
  sections.push({
    run: () =>
      measureListPaging({
        boxes: whole(values.paging || undefined, 10_000),
        runs: whole(values.runs, 20),
      }),
    format: formatListPaging,
  });
}

if ((all && process.getuid?.() === 0) || values.monitor) {
  sections.push({
    run: () => measureMonitorFootprint({ seconds }),
    format: formatMonitorFootprint,
  });
}

// Ctrl-C ends the run through process.exit, whose handlers stop the servers it started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

async function main() {
  let allOk = true;
  for (const section of sections) {
    const result = await section.run();
    allOk &&= result.ok;
    console.log(values.json ? JSON.stringify(result) : section.format(result as never));
  }
  process.exit(allOk ? 0 : 1);
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(2);
});
