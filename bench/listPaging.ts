import { randomUUID } from 'node:crypto';
import { Case, Customer, Device, Site } from '../store/models';
import { hashToken } from '../store/tokens';
import { withBenchStack } from './stack';
import { formatSpread, round, spread, type Spread } from './stats';

// An operator's lists over a big fleet: N boxes (one site each, five boxes a customer) and a
// case per box (one in five still open), written straight into the store. Then GET
// /api/devices and GET /api/cases, the first page and a page from the middle of the list,
// each timed over several runs. Figures to read, no target.

export interface PagingBenchResult {
  section: 'paging';
  boxes: number;
  customers: number;
  cases: number;
  secondsToInsert: number;
  runs: number;
  /** Latency by list and page, e.g. "devices first page (500)". */
  latencyMs: Record<string, Spread>;
  ok: boolean;
}

const boxesPerCustomer = 5;
const minute = 60_000;

function fleetDocs(i: number, now: number) {
  const customerId = `bench-customer-${Math.floor(i / boxesPerCustomer)}`;
  const siteId = `bench-site-${i}`;
  const deviceId = `pi-bench-${String(i).padStart(6, '0')}`;
  const open = i % 5 === 0;
  return {
    site: { _id: siteId, customerId, name: `Site ${i}`, address: `${i} Harbour Road` },
    device: {
      _id: randomUUID(),
      customerId,
      siteId,
      deviceId,
      serialNumber: `SN-${deviceId}`,
      tokenHash: hashToken(`bench-${deviceId}`),
      status: 'online',
      lastSeen: new Date(now),
      // A heartbeat as the gateway keeps it: what makes a device document its usual size.
      health: {
        led: 'green',
        uptimeSeconds: 86_400 + i,
        summary: 'Gateway, internet and DNS all answer',
        lte: { signalDbm: -71, registered: true },
        cloudPath: 'wired',
      },
      createdAt: new Date(now - i * minute),
      updatedAt: new Date(now),
    },
    case: {
      _id: `bench-case-${i}`,
      workflowId: `bench-case-${i}`,
      customerId,
      deviceId,
      siteId,
      channel: 'phone',
      status: open ? 'awaiting_approval' : 'resolved',
      step: open ? 'Waiting for your approval to restart the router' : 'Resolved',
      issueCategory: ['dns', 'gateway', 'isp', 'wifi'][i % 4],
      summary: `The card terminal at site ${i} cannot reach the internet`,
      reports: [{ at: new Date(now), channel: 'phone', words: 'Card machine is down again' }],
      createdAt: new Date(now - ((i * 7919) % (30 * 24 * 60)) * minute),
      updatedAt: new Date(now),
    },
  };
}

async function timed(
  url: string,
  token: string,
): Promise<{ ms: number; body: { nextCursor?: string } }> {
  const started = performance.now();
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as { nextCursor?: string };
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return { ms: round(performance.now() - started), body };
}

export async function measureListPaging({
  boxes = 10_000,
  runs = 20,
  log = (line: string) => console.error(line),
} = {}): Promise<PagingBenchResult> {
  return withBenchStack('paging', async (stack) => {
    const now = Date.now();
    const customers = Math.ceil(boxes / boxesPerCustomer);
    log(`inserting ${boxes} boxes, their sites, ${customers} customers and ${boxes} cases...`);
    const started = Date.now();
    await Customer.collection.insertMany(
      Array.from({ length: customers }, (_, c) => ({
        _id: `bench-customer-${c}`,
        businessName: `Business ${String(c).padStart(5, '0')}`,
        primaryPhone: `+1555${String(c).padStart(7, '0')}`,
        phones: [`+1555${String(c).padStart(7, '0')}`],
        email: `owner${c}@bench.example`,
        subscriptionStatus: 'active',
      })) as never[],
    );
    const batch = 1000;
    for (let i = 0; i < boxes; i += batch) {
      const docs = Array.from({ length: Math.min(batch, boxes - i) }, (_, j) =>
        fleetDocs(i + j, now),
      );
      await Site.collection.insertMany(docs.map((d) => d.site) as never[]);
      await Device.collection.insertMany(docs.map((d) => d.device) as never[]);
      await Case.collection.insertMany(docs.map((d) => d.case) as never[]);
    }
    const secondsToInsert = round((Date.now() - started) / 1000);
    const token = stack.demo.operator.token;
    const latencyMs: Record<string, Spread> = {};
    const measure = async (label: string, url: string) => {
      log(`${label}: ${runs} runs...`);
      const times: number[] = [];
      for (let run = 0; run < runs; run++) times.push((await timed(url, token)).ms);
      latencyMs[label] = spread(times);
      log(`  ${formatSpread(latencyMs[label])}`);
    };
    for (const [list, limit] of [
      ['devices', 500],
      ['devices', 50],
      ['cases', 100],
      ['cases', 50],
    ] as const) {
      const path = `${stack.apiUrl}/api/${list}?limit=${limit}`;
      await measure(`${list} first page (${limit})`, path);
      // A cursor from the middle of the list: walk there in pages of 500.
      let cursor: string | undefined;
      for (let walked = 0; walked < boxes / 2; walked += 500) {
        const page = await timed(
          `${stack.apiUrl}/api/${list}?limit=500${cursor ? `&cursor=${cursor}` : ''}`,
          token,
        );
        cursor = page.body.nextCursor;
      }
      await measure(`${list} middle page (${limit})`, `${path}&cursor=${cursor}`);
    }
    return {
      section: 'paging',
      boxes,
      customers,
      cases: boxes,
      secondsToInsert,
      runs,
      latencyMs,
      ok: true,
    };
  });
}

export function formatListPaging(r: PagingBenchResult): string {
  return [
    `Lists for an operator: ${r.boxes} boxes and sites, ${r.customers} customers, ${r.cases} cases (inserted in ${r.secondsToInsert} s)`,
    ...Object.entries(r.latencyMs).map(
      ([label, s]) => `  GET /api/${label.padEnd(28)} ${formatSpread(s)}`,
    ),
  ].join('\n');
}
