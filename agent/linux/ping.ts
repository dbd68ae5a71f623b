import { run } from './exec';

// iputils ping, summarised: loss, average round trip and jitter (ping's mdev).

export interface PingSummary {
  sent: number;
  received: number;
  lossPct: number;
  avgMs?: number;
  jitterMs?: number;
}

export function parsePing(output: string): PingSummary {
  const counts = /(\d+) packets transmitted, (\d+) received/.exec(output);
  if (!counts) throw new Error(`ping printed no summary: ${output.trim().slice(0, 200)}`);
  const sent = Number(counts[1]);
  const received = Number(counts[2]);
  const lossPct = sent === 0 ? 100 : Math.round(((sent - received) / sent) * 1000) / 10;
  const rtt = /= [\d.]+\/([\d.]+)\/[\d.]+\/([\d.]+) ms/.exec(output);
  return rtt
    ? { sent, received, lossPct, avgMs: Number(rtt[1]), jitterMs: Number(rtt[2]) }
    : { sent, received, lossPct };
}

export async function ping(
  host: string,
  {
    count = 5,
    intervalS = 0.2,
    iface,
  }: { count?: number; intervalS?: number; iface?: string } = {},
): Promise<PingSummary> {
  // Exactly `count` requests (no -w: with it ping keeps sending until `count` replies);
  // -W 1: a reply later than a second counts as lost.
  const args = ['-n', '-q', '-c', String(count), '-i', String(intervalS), '-W', '1'];
  if (iface) args.push('-I', iface);
  const out = await run('ping', [...args, host], { timeoutMs: (count * intervalS + 5) * 1000 });
  // "connect: Network is unreachable": nothing was sent anywhere.
  if (!/packets transmitted/.test(out.stdout)) return { sent: 0, received: 0, lossPct: 100 };
  return parsePing(out.stdout);
}
