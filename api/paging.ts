import mongoose from 'mongoose';
import { z } from 'zod';
import { HttpError } from './errors';

// Keyset paging for the lists (cases, devices, customers). A page ends at its last row;
// the next page starts strictly after that row's (sort key, _id), so rows added meanwhile
// land where they belong and never repeat or shift rows of the pages still to come. The
// cursor is opaque to callers (base64url JSON) and checked with zod when it comes back.

/** How one list is ordered: by `key`, ties broken by `_id` in the same direction. */
export interface PageOrder {
  /** Named in the cursor, so a cursor of one list is refused by another. */
  list: string;
  key: string;
  /** Dates travel in the cursor as ISO 8601. */
  kind: 'string' | 'date';
  direction: 1 | -1;
}

const CursorBody = z
  .object({
    list: z.string(),
    key: z.string().max(1000),
    id: z.string().min(1).max(200),
  })
  .strict();
type CursorBody = z.infer<typeof CursorBody>;

type KeyValue = string | Date;

function badCursor(): HttpError {
  return new HttpError(
    400,
    'BAD_CURSOR',
    'This page link is not valid: start again from the first page',
  );
}

function decodeCursor(order: PageOrder, cursor: string): { key: KeyValue; id: string } {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw badCursor();
  let body: CursorBody;
  try {
    body = CursorBody.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw badCursor();
  }
  // Another list's cursor names another key: refused rather than read as this list's.
  if (body.list !== order.list) throw badCursor();
  if (order.kind === 'string') return { key: body.key, id: body.id };
  if (!z.iso.datetime().safeParse(body.key).success) throw badCursor();
  return { key: new Date(body.key), id: body.id };
}

function encodeCursor(order: PageOrder, key: unknown, id: string): string {
  const text = key instanceof Date ? key.toISOString() : String(key);
  const body: CursorBody = { list: order.list, key: text, id };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

/** The sort of a list: its key, then `_id`, both in the list's direction. */
export function pageSort(order: PageOrder): Record<string, 1 | -1> {
  return { [order.key]: order.direction, _id: order.direction };
}

/**
 * The condition "after the cursor's row" (undefined on the first page): key beyond the
 * last key, or the same key and `_id` beyond the last `_id`. Throws 400 BAD_CURSOR.
 */
export function afterCursor(
  order: PageOrder,
  cursor: string | undefined,
): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  const last = decodeCursor(order, cursor);
  const beyond = order.direction === 1 ? '$gt' : '$lt';
  return {
    $or: [
      { [order.key]: mongoose.trusted({ [beyond]: last.key }) },
      { [order.key]: last.key, _id: mongoose.trusted({ [beyond]: last.id }) },
    ],
  };
}

/** Conditions joined by AND onto a (scoped) filter; the filter's own keys stay as they are. */
export function withConditions(
  filter: Record<string, unknown>,
  conditions: (Record<string, unknown> | undefined)[],
): Record<string, unknown> {
  const present = conditions.filter((c): c is Record<string, unknown> => c !== undefined);
  return present.length ? { ...filter, $and: present } : filter;
}

/**
 * Cuts the `limit + 1` rows read down to the page; the extra row only says that a next
 * page exists, whose cursor is the page's last row.
 */
export function pageOf<T extends { _id: string }>(
  order: PageOrder,
  rows: T[],
  limit: number,
): { rows: T[]; nextCursor?: string } {
  if (rows.length <= limit) return { rows };
  const page = rows.slice(0, limit);
  const last = page.at(-1)!;
  const key = (last as Record<string, unknown>)[order.key];
  return { rows: page, nextCursor: encodeCursor(order, key, last._id) };
}

/** What `q` matches: its text anywhere, any case, every character literal. */
export function searchPattern(q: string | undefined): RegExp | undefined {
  if (!q) return undefined;
  return new RegExp(q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
}

/**
 * The documents a page refers to (its customers, sites), one `_id` lookup each: FerretDB
 * on SQLite finds a document quickly only by `_id` equality, and reads the whole
 * collection for an `$in`.
 */
export async function findByIds<T extends { _id: string }>(
  find: (id: string) => PromiseLike<T | null>,
  ids: string[],
): Promise<Map<string, T>> {
  const found = new Map<string, T>();
  await Promise.all(
    [...new Set(ids)].map(async (id) => {
      const doc = await find(id);
      if (doc) found.set(doc._id, doc);
    }),
  );
  return found;
}
