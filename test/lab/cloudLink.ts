import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CloudPath } from '../../contracts/device';
import { Device } from '../../store/models';
import { eventually } from '../support/stack';
import type { Lab } from './topology';

// What the real agent in the lab says about its cloud link: its JSON log lines
// (connected over which path, when) and its LTE data count on disk.

interface LogLine {
  time: string;
  msg: string;
}

export function agentLog(lab: Lab): LogLine[] {
  return lab
    .output('agent')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        return undefined;
      }
    })
    .filter((line): line is LogLine => line !== undefined && typeof line.msg === 'string');
}

const connectedOver = (path: CloudPath) =>
  path === 'lte'
    ? 'cloud link: connected over LTE'
    : 'cloud link: connected over the office network';

/** When the agent last connected over `path` after `since`, waiting for it. */
export function connectedAfter(
  lab: Lab,
  path: CloudPath,
  since: Date,
  timeoutMs: number,
): Promise<Date> {
  return eventually(
    async () => {
      const line = agentLog(lab)
        .filter((l) => l.msg === connectedOver(path) && new Date(l.time) >= since)
        .pop();
      return line && new Date(line.time);
    },
    { what: `the agent to connect over ${path}`, timeoutMs },
  );
}

/** The path of the agent's latest connection. */
export function currentPath(lab: Lab): CloudPath | undefined {
  const last = agentLog(lab)
    .filter((l) => l.msg.startsWith('cloud link: connected over'))
    .pop();
  return last && (last.msg === connectedOver('lte') ? 'lte' : 'wired');
}

/** The path switches the agent made: the log lines that announce them. */
export function switches(lab: Lab): LogLine[] {
  return agentLog(lab).filter((l) =>
    /^cloud link: (the office network has not|moving back)/.test(l.msg),
  );
}

/** The LTE bytes the agent counted this month (0 before its first sample). */
export function lteBytes(lab: Lab): number {
  try {
    return (
      JSON.parse(readFileSync(path.join(lab.dir, 'lte-usage.json'), 'utf8')) as {
        bytes: number;
      }
    ).bytes;
  } catch {
    return 0;
  }
}

/** Starts the real agent and waits until the cloud has it online: a box is up before anything breaks. */
export async function bootAgent(
  lab: Lab,
  device: { deviceId: string; token: string },
): Promise<Date> {
  const booted = new Date();
  lab.startAgent(device.token);
  await eventually(
    async () => {
      const seen = await Device.findOne({ deviceId: device.deviceId }).lean();
      return seen?.status === 'online' && seen.lastSeen! >= booted;
    },
    { what: 'the agent to connect to the cloud', timeoutMs: 60_000 },
  );
  return booted;
}
