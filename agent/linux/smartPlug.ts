import { z } from 'zod';
import { sleep } from './exec';

// A smart plug speaking the Shelly Gen2 HTTP RPC (Switch.Set, Switch.GetStatus),
// switch 0. The plug itself turns the power back on (toggle_after), so the
// equipment comes back even if the Pi loses its network while it is off.

const SwitchStatus = z.object({ id: z.number(), output: z.boolean() }).loose();

async function rpc(base: string, method: string, query: Record<string, string>): Promise<unknown> {
  const url = new URL(`rpc/${method}`, base.endsWith('/') ? base : `${base}/`);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  if (!res.ok)
    throw new Error(`The smart plug answered ${res.status} to ${method}: ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

export async function plugIsOn(base: string): Promise<boolean> {
  return SwitchStatus.parse(await rpc(base, 'Switch.GetStatus', { id: '0' })).output;
}

/** Switches off for `offSeconds`, then waits until the plug reports power back on. */
export async function powerCycle(base: string, offSeconds: number): Promise<void> {
  await rpc(base, 'Switch.Set', { id: '0', on: 'false', toggle_after: String(offSeconds) });
  const deadline = Date.now() + (offSeconds + 30) * 1000;
  await sleep(offSeconds * 1000);
  for (;;) {
    // The plug may not answer for a moment while it switches.
    if (await plugIsOn(base).catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`The smart plug did not switch back on after ${offSeconds} s.`);
    await sleep(500);
  }
}
