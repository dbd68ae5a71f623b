import { decrypt, encrypt } from './cipher';
import { keyFor, readKey, type Subject } from './keys';

// Personal values as they are kept anywhere that cannot forget (the audit chain, Temporal's
// histories) or should not read them in clear (case documents): `pii1:<subject>:<sealed>`,
// which says whose key opens it. Plain values, from before sealing, pass through.

const PREFIX = 'pii1:';
/** What readers show where a value's key was erased. */
export const ERASED = '(erased)';

export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(PREFIX);
}

/**
 * Seals `text` under the subject's key (made on first use). `context` (e.g. an audit entry's
 * id and field) makes the result the same for the same text there, for writes that retry.
 * An already sealed value is returned as it is.
 */
export async function seal(subject: Subject, text: string, context?: string): Promise<string> {
  if (isSealed(text)) return text;
  const key = await keyFor(subject);
  const sealed = encrypt(key, subject.id, Buffer.from(text, 'utf8'), context);
  return `${PREFIX}${subject.id}:${sealed.toString('base64url')}`;
}

export async function sealOptional(
  subject: Subject,
  text: string | undefined,
): Promise<string | undefined> {
  return text === undefined ? undefined : seal(subject, text);
}

/** The subject a sealed value names (whose erasure makes it unreadable). */
export function subjectOf(value: string): string | undefined {
  if (!isSealed(value)) return undefined;
  return value.slice(PREFIX.length, value.lastIndexOf(':'));
}

export type Opened = { text: string; erased: false } | { erased: true };

/** The text of a sealed value, or `erased` when its key is gone; plain values as they are. */
export async function open(value: string): Promise<Opened> {
  const subject = subjectOf(value);
  if (subject === undefined) return { text: value, erased: false };
  const key = await readKey(subject);
  if (!key) return { erased: true };
  const sealed = Buffer.from(value.slice(value.lastIndexOf(':') + 1), 'base64url');
  return { text: decrypt(key, subject, sealed).toString('utf8'), erased: false };
}

/** The text, or "(erased)". */
export async function unseal(value: string): Promise<string> {
  const opened = await open(value);
  return opened.erased ? ERASED : opened.text;
}

export async function unsealOptional(
  value: string | undefined | null,
): Promise<string | undefined> {
  return typeof value === 'string' ? unseal(value) : undefined;
}

/**
 * A copy of any JSON-like value with every sealed string in it opened: for readers of case
 * documents, audit entries, the live state and exports. Dates and other objects stay as they are.
 */
export async function unsealDeep<T>(value: T): Promise<T> {
  if (typeof value === 'string') return (isSealed(value) ? await unseal(value) : value) as T;
  if (Array.isArray(value)) return (await Promise.all(value.map(unsealDeep))) as T;
  if (value && typeof value === 'object' && isPlainObject(value)) {
    const entries = await Promise.all(
      Object.entries(value).map(async ([k, v]) => [k, await unsealDeep(v)] as const),
    );
    return Object.fromEntries(entries) as T;
  }
  return value;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
