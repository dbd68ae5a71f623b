import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

// The resolv.conf the agent is configured to use: read for the checks,
// rewritten by the DNS fixes with the previous version kept beside it.

const ipv4 = /^\d{1,3}(\.\d{1,3}){3}$/;

export function nameservers(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => /^\s*nameserver\s+(\S+)/.exec(line)?.[1])
    .filter((server): server is string => server !== undefined && ipv4.test(server))
    .slice(0, 8);
}

export const previousPath = (path: string) => `${path}.zen-previous`;

/** Puts `resolver` first and only; other lines (search, options) stay. Returns the old servers. */
export function useResolver(path: string, resolver: string): string[] {
  const before = existsSync(path) ? readFileSync(path, 'utf8') : '';
  // Keep the customer's own setting for undo, not a fallback written earlier.
  if (!existsSync(previousPath(path))) writeFileSync(previousPath(path), before);
  const kept = before.split('\n').filter((line) => line.trim() && !/^\s*nameserver\s/.test(line));
  // In place, not renamed: resolv.conf may be a bind mount or a symlink target.
  writeFileSync(path, [...kept, `nameserver ${resolver}`, ''].join('\n'));
  return nameservers(previousPath(path));
}

/** Writes the kept version back (in place) and forgets it. Returns the restored servers. */
export function restoreResolvers(path: string): string[] | undefined {
  if (!existsSync(previousPath(path))) return undefined;
  writeFileSync(path, readFileSync(previousPath(path), 'utf8'));
  rmSync(previousPath(path));
  return nameservers(path);
}
