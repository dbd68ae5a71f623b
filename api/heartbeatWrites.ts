import type { CloudPath, Heartbeat } from '../contracts/device';

// Which heartbeats cost a database write. A box beats every 30 s: a heartbeat that
// says nothing new waits for the periodic lastSeen write, while one that changes
// what a person sees (the LED, the cloud path, the LTE budget used up) is written at once.

/**
 * The heartbeat without its counters, which grow at every beat (uptime, LTE bytes):
 * two beats with the same key say the same thing to a person.
 */
export function healthKey(heartbeat: Heartbeat): string {
  const lteData = heartbeat.lteData && { ...heartbeat.lteData, bytes: undefined };
  return JSON.stringify({ ...storedHealth(heartbeat), uptimeSeconds: undefined, lteData });
}

/**
 * The heartbeat as the device document keeps it: without the monitor, whose intervals go
 * to the history and whose state changes are kept by api/monitoring/faults.ts (monitorState).
 */
export function storedHealth(heartbeat: Heartbeat): Heartbeat {
  const stored = { ...heartbeat };
  delete stored.monitor;
  return stored;
}

/** When the box moved to the path it reports now, or undefined when it did not move. */
export function pathChangedAt(
  reported: CloudPath | undefined,
  previous: CloudPath | undefined,
  now: Date,
): Date | undefined {
  return reported !== undefined && reported !== previous ? now : undefined;
}
