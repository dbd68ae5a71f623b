import mongoose from 'mongoose';
import type { Actor } from '../contracts/case';
import { subjectLabel } from '../privacy/keys';
import { callerSubjectId } from '../privacy/writers';
import { Device, Site, User } from '../store/models';

// Who did something, in words a customer or an operator reads in a case's trail: the
// person's name (their e-mail when they gave no name, except that customers read an
// operator without one as "Zen & Zen technician"), "Zen box at <site>", or "Zen & Zen
// service". Resolved when read, so the audit trail and the workflow keep only ids.

export const serviceName = 'Zen & Zen service';
const operatorName = 'Zen & Zen technician';

/** The caller's number is personal data the trail need not show: its last digits say enough. */
function caller(number: string): string {
  const digits = number.replace(/\D/g, '');
  return digits ? `Caller on the phone (number ending ${digits.slice(-4)})` : 'Caller on the phone';
}

/**
 * Callers are `phone:<keyed hash>`: their number is read from beside their key, while it
 * lives. Ids from before that (`phone:<number>`) carry it themselves.
 */
async function callerName(id: string): Promise<string> {
  const subject = callerSubjectId(id);
  if (!subject || id.slice('phone:'.length).startsWith('+'))
    return caller(id.slice('phone:'.length));
  return caller((await subjectLabel(subject)) ?? '');
}

/**
 * Names for each actor's id; unknown ids get a plain word for their role. Operators reading
 * see a colleague without a name by their address; customers never do.
 */
export async function namesOf(
  actors: readonly (Actor | undefined)[],
  reader: 'customer' | 'operator' = 'customer',
): Promise<Map<string, string>> {
  const known = actors.filter((a): a is Actor => a !== undefined);
  const userIds = [
    ...new Set(
      known
        .filter((a) => a.role === 'customer' || a.role === 'operator' || a.role === 'partner')
        .map((a) => a.id),
    ),
  ];
  const deviceIds = [...new Set(known.filter((a) => a.role === 'device').map((a) => a.id))];
  const [users, devices] = await Promise.all([
    userIds.length
      ? User.find(
          { _id: mongoose.trusted({ $in: userIds }) },
          { name: 1, email: 1, role: 1 },
        ).lean()
      : [],
    deviceIds.length
      ? Device.find({ _id: mongoose.trusted({ $in: deviceIds }) }, { siteId: 1 }).lean()
      : [],
  ]);
  const siteIds = [...new Set(devices.map((d) => d.siteId))];
  const sites = siteIds.length
    ? await Site.find({ _id: mongoose.trusted({ $in: siteIds }) }, { name: 1 }).lean()
    : [];
  const siteNames = new Map(sites.map((s) => [s._id, s.name]));
  const names = new Map<string, string>();
  for (const user of users) {
    const hidden = user.role === 'operator' && reader === 'customer';
    names.set(user._id, user.name || (hidden ? operatorName : user.email));
  }
  for (const device of devices) {
    const site = siteNames.get(device.siteId);
    names.set(device._id, site ? `Zen box at ${site}` : 'Zen box');
  }
  const callers = [...new Set(known.filter((a) => a.id.startsWith('phone:')).map((a) => a.id))];
  for (const id of callers) names.set(id, await callerName(id));
  for (const actor of known) {
    if (names.has(actor.id)) continue;
    names.set(actor.id, fallbackName(actor));
  }
  return names;
}

function fallbackName(actor: Actor): string {
  if (actor.id.startsWith('phone:')) return caller('');
  switch (actor.role) {
    case 'service':
      return serviceName;
    case 'device':
      return 'Zen box';
    case 'operator':
      return operatorName;
    case 'partner':
      return 'Your IT partner';
    case 'customer':
      return 'Customer';
  }
}

/** The name for one actor, or for the workflow itself (no actor: the service). */
export function whoIn(names: Map<string, string>, actor: Actor | undefined): string {
  return actor ? (names.get(actor.id) ?? fallbackName(actor)) : serviceName;
}
