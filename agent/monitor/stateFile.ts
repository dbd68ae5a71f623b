import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { MonitorState } from '../../contracts/monitor';
import type { Log } from '../log';

// The state the box last reported, kept across a restart: a box that restarts during
// an outage goes on reporting it until its rounds decide, so the cloud sees neither a
// recovery nor a new outage that did not happen. Written only when the state changes.

export interface StateFile {
  load(): MonitorState | undefined;
  save(state: MonitorState): void;
}

export function monitorStateFile(path: string | undefined, log: Log): StateFile {
  return {
    load() {
      if (!path || !existsSync(path)) return undefined;
      try {
        return MonitorState.parse(JSON.parse(readFileSync(path, 'utf8')));
      } catch (err) {
        log('monitor: the last state could not be read; starting without it', {
          error: (err as Error).message,
        });
        return undefined;
      }
    },
    save(state) {
      if (!path) return;
      try {
        writeFileSync(`${path}.tmp`, JSON.stringify(state), { mode: 0o600 });
        renameSync(`${path}.tmp`, path);
      } catch (err) {
        log('monitor: could not keep the state', { error: (err as Error).message });
      }
    },
  };
}
