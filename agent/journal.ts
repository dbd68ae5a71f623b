import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

// The remediation journal: each idempotency key runs at most once, whatever
// the cloud resends. An entry is written before the action starts, so a crash
// mid-action is never followed by a second run under the same key.

const Entry = z.object({
  action: z.string(),
  status: z.enum(['running', 'done', 'failed']),
  message: z.string(),
  at: z.string(),
});
type Entry = z.infer<typeof Entry>;
const JournalFile = z.record(z.string(), Entry);

export interface JournalOutcome {
  /** False when the key was already in the journal: nothing ran this time. */
  executed: boolean;
  ok: boolean;
  message: string;
}

export interface RemediationJournal {
  run(key: string, action: string, task: () => Promise<string> | string): Promise<JournalOutcome>;
}

/** A journal in memory, or in a JSON file (written atomically, mode 0600) when given a path. */
export function createJournal(path?: string): RemediationJournal {
  const entries = new Map<string, Entry>(path && existsSync(path) ? load(path) : []);
  const inFlight = new Map<string, Promise<JournalOutcome>>();

  const record = (key: string, entry: Omit<Entry, 'at'>) => {
    entries.set(key, { ...entry, at: new Date().toISOString() });
    if (path) save(path, entries);
  };

  const previous = (entry: Entry, action: string): JournalOutcome => {
    if (entry.action !== action) {
      return {
        executed: false,
        ok: false,
        message: `Refused: this idempotency key was already used for ${entry.action}.`,
      };
    }
    if (entry.status === 'running') {
      return {
        executed: false,
        ok: false,
        message: 'Interrupted: the agent stopped while this action ran; it is not run again.',
      };
    }
    if (entry.status === 'failed') {
      return {
        executed: false,
        ok: false,
        message: `Failed before; not run again: ${entry.message}`,
      };
    }
    return { executed: false, ok: true, message: entry.message };
  };

  const execute = async (key: string, action: string, task: () => Promise<string> | string) => {
    record(key, { action, status: 'running', message: '' });
    try {
      const message = await task();
      record(key, { action, status: 'done', message });
      return { executed: true, ok: true, message };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      record(key, { action, status: 'failed', message });
      return { executed: true, ok: false, message };
    }
  };

  return {
    async run(key, action, task) {
      const running = inFlight.get(key);
      if (running) {
        await running;
        return previous(entries.get(key)!, action);
      }
      const entry = entries.get(key);
      if (entry) return previous(entry, action);
      const promise = execute(key, action, task).finally(() => inFlight.delete(key));
      inFlight.set(key, promise);
      return promise;
    },
  };
}

function load(path: string): [string, Entry][] {
  try {
    return Object.entries(JournalFile.parse(JSON.parse(readFileSync(path, 'utf8'))));
  } catch {
    // Starting with an empty journal could run old actions again: refuse instead.
    throw new Error(`The remediation journal ${path} is unreadable; fix or move it aside.`);
  }
}

function save(path: string, entries: Map<string, Entry>): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(Object.fromEntries(entries), null, 2), { mode: 0o600 });
  renameSync(temp, path);
}
