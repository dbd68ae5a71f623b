import mongoose from 'mongoose';
import { closedStatuses, type CaseStatus } from '../../contracts/case';
import { Case, Device, Site } from '../../store/models';

// Which of a customer's Zen boxes a call is about: the one that matters now.
// A box whose case waits for approval comes first, then a box with any other
// open case, then a box with a reported fault (silent, or its light shows a
// fault); among several equal ones, or when none stands out, the caller picks
// by keypad with the site names read out. Site names are the customer's data:
// they are spoken, never logged.

export interface Box {
  deviceId: string;
  /** The site's name as the caller knows it; unique among the choices read out. */
  place: string;
  openCase?: CaseStatus;
  /** Its latest case, closed as fixed within `recentMs` and not yet followed up. */
  recentlyResolved?: string;
  fault: boolean;
  createdAt: number;
}

export type BoxChoice =
  { kind: 'none' } | { kind: 'one'; box: Box; several: boolean } | { kind: 'ask'; boxes: Box[] };

/** The keypad has nine digits for places; more boxes than that are picked in the portal. */
export const maxMenuBoxes = 9;

/** How long after a case closed as fixed a call asks whether it still is. */
export const recentMs = 3 * 24 * 60 * 60_000;

function rank(box: Box): number {
  if (box.openCase === 'awaiting_approval') return 0;
  if (box.openCase) return 1;
  if (box.fault) return 2;
  return 3;
}

export function chooseBox(boxes: readonly Box[]): BoxChoice {
  if (boxes.length === 0) return { kind: 'none' };
  if (boxes.length === 1) return { kind: 'one', box: boxes[0]!, several: false };
  const best = Math.min(...boxes.map(rank));
  const top = boxes.filter((b) => rank(b) === best);
  if (top.length === 1) return { kind: 'one', box: top[0]!, several: true };
  return { kind: 'ask', boxes: top.slice(0, maxMenuBoxes) };
}

/** The customer's boxes (not revoked), oldest first, with their site names and open cases. */
export async function loadBoxes(customerId: string): Promise<Box[]> {
  const [devices, sites, cases, resolved] = await Promise.all([
    Device.find(
      { customerId },
      { deviceId: 1, siteId: 1, status: 1, health: 1, revokedAt: 1, createdAt: 1 },
    )
      .sort({ createdAt: 1 })
      .lean(),
    Site.find({ customerId }, { name: 1 }).lean(),
    Case.find(
      { customerId, status: mongoose.trusted({ $nin: closedStatuses }) },
      { deviceId: 1, status: 1 },
    ).lean(),
    Case.find(
      {
        customerId,
        status: 'resolved',
        updatedAt: mongoose.trusted({ $gte: new Date(Date.now() - recentMs) }),
      },
      { deviceId: 1, followUpCaseId: 1, updatedAt: 1 },
    )
      .sort({ updatedAt: -1 })
      .lean(),
  ]);
  const siteName = new Map(sites.map((s) => [s._id, s.name]));
  const openCase = new Map(cases.map((c) => [c.deviceId, c.status as CaseStatus]));
  // Each box's newest resolved case only: one already followed up is not asked about again.
  const lastResolved = new Map<string, string | undefined>();
  for (const c of resolved) {
    if (!lastResolved.has(c.deviceId)) {
      lastResolved.set(c.deviceId, c.followUpCaseId ? undefined : String(c._id));
    }
  }
  const live = devices.filter((d) => !d.revokedAt);
  const names = live.map((d) => siteName.get(d.siteId) ?? 'your site');
  return live.map((device, i) => ({
    deviceId: device.deviceId,
    place: distinctName(names, i),
    openCase: openCase.get(device.deviceId),
    recentlyResolved: openCase.has(device.deviceId) ? undefined : lastResolved.get(device.deviceId),
    fault: device.status === 'offline' || ledOf(device.health) === 'fault',
    createdAt: device.createdAt?.getTime() ?? 0,
  }));
}

/** "Main office", or "Main office, box 2" when a site has more than one box. */
function distinctName(names: readonly string[], i: number): string {
  const name = names[i]!;
  if (names.filter((n) => n === name).length === 1) return name;
  const nth = names.slice(0, i + 1).filter((n) => n === name).length;
  return `${name}, box ${nth}`;
}

function ledOf(health: unknown): string | undefined {
  const led = (health as { led?: unknown } | null | undefined)?.led;
  return typeof led === 'string' ? led : undefined;
}
