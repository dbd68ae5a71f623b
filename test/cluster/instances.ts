// What each API instance of the cluster holds, read from its own address (behind
// HAProxy): a box beats once on connecting, so with a long heartbeat interval an
// instance's heartbeat count is the number of boxes that connected to it since it started.

const heartbeats = /^zen_device_heartbeats_total\{[^}]*\} (\d+(?:\.\d+)?)$/gm;

/** Heartbeats the instance at `url` received since it started; undefined when it does not answer. */
export async function heartbeatsOn(url: string): Promise<number | undefined> {
  try {
    const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) });
    if (res.status !== 200) return undefined;
    const text = await res.text();
    let total = 0;
    for (const [, value] of text.matchAll(heartbeats)) total += Number(value);
    return total;
  } catch {
    return undefined;
  }
}
