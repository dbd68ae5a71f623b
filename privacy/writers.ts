import {
  callerHash,
  callerSubject,
  customerSubject,
  keyFor,
  personSubject,
  type Subject,
} from './keys';
import { seal } from './seal';

// Whose key seals a person's words: a signed-in person's own (erasable on its own), a
// caller's own, or the business's for everyone else (technicians, the Zen box, scripts of
// the business). Callers are known by `phone:<keyed hash>`, never by their number.

const callerPrefix = 'phone:';

export interface Writer {
  id: string;
  role: string;
}

export function writerSubject(writer: Writer, customerId: string): Subject {
  if (writer.id.startsWith(callerPrefix)) {
    return { id: `caller:${writer.id.slice(callerPrefix.length)}`, customerId };
  }
  if (writer.role === 'customer') return personSubject(customerId, writer.id);
  return customerSubject(customerId);
}

/** A caller's actor id: their number's keyed hash, the same for each call of theirs. */
export function callerActorId(customerId: string, phoneNumber: string): string {
  return `${callerPrefix}${callerHash(customerId, phoneNumber)}`;
}

/** The caller subject an actor id names, or undefined for anyone else. */
export function callerSubjectId(actorId: string): string | undefined {
  return actorId.startsWith(callerPrefix)
    ? `caller:${actorId.slice(callerPrefix.length)}`
    : undefined;
}

/**
 * The caller's number sealed under their own key; the key is made with the number beside
 * it, so the trail can say "number ending 1234" until the caller is erased.
 */
export async function sealCallerNumber(customerId: string, phoneNumber: string): Promise<string> {
  const subject = callerSubject(customerId, phoneNumber);
  await keyFor(subject, phoneNumber);
  return seal(subject, phoneNumber);
}

/** Seals a person's words under the writer's key (see writerSubject). */
export function sealWords(writer: Writer, customerId: string, text: string): Promise<string> {
  return seal(writerSubject(writer, customerId), text);
}
