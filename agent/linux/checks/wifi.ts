import { existsSync, readFileSync } from 'node:fs';
import { checkThresholds } from '../../../contracts/diagnostics';
import type { AgentConfig } from '../../config';
import type { Measured } from '../checks';
import { run } from '../exec';

// The box's own Wi-Fi link, when the box is on Wi-Fi: what `iw` (nl80211)
// says about it. `iw dev <if> link`: the access point, the network's name,
// the frequency, the signal and the rates; `iw dev <if> survey dump`: the
// noise and how busy the channel in use is; `/proc/net/wireless` for the noise
// when the driver keeps no survey. A wired box has nothing to measure here.
// The box sees the Wi-Fi where it stands: a weak signal or a crowded channel
// there usually means the same for the computers around it.

type Data = Measured<'wifi'>['data'];
type Finding = Data['findings'][number];

export interface IwLink {
  connected: boolean;
  bssid?: string;
  ssid?: string;
  frequencyMhz?: number;
  signalDbm?: number;
  txBitrateMbps?: number;
  rxBitrateMbps?: number;
}

const num = (pattern: RegExp, text: string) => {
  const m = pattern.exec(text);
  return m ? Number(m[1]) : undefined;
};

/** `iw dev <if> link` (iw 5.19): "Not connected." or the link's lines. */
export function parseIwLink(output: string): IwLink {
  const head = /^Connected to ([0-9a-f:]{17})/im.exec(output);
  if (!head) return { connected: false };
  const ssid = /^\s*SSID: (.*)$/m.exec(output)?.[1];
  return {
    connected: true,
    bssid: head[1]!.toLowerCase(),
    ...(ssid !== undefined ? { ssid: ssid.slice(0, 128) } : {}),
    frequencyMhz: num(/^\s*freq: ([\d.]+)/m, output),
    signalDbm: num(/^\s*signal: (-?\d+) dBm/m, output),
    txBitrateMbps: num(/^\s*tx bitrate: ([\d.]+) MBit\/s/m, output),
    rxBitrateMbps: num(/^\s*rx bitrate: ([\d.]+) MBit\/s/m, output),
  };
}

/** `iw dev <if> survey dump`: the noise and busy share of the channel marked "[in use]". */
export function parseSurvey(output: string): { noiseDbm?: number; busyPct?: number } {
  const inUse = output
    .split(/(?=^Survey data from)|(?=^\s*frequency:)/m)
    .find((b) => /\[in use\]/.test(b));
  if (!inUse) return {};
  const active = num(/channel active time:\s*(\d+) ms/, inUse);
  const busy = num(/channel busy time:\s*(\d+) ms/, inUse);
  return {
    noiseDbm: num(/noise:\s*(-?\d+) dBm/, inUse),
    busyPct: active && busy !== undefined ? Math.round((busy / active) * 1000) / 10 : undefined,
  };
}

/** `/proc/net/wireless`: the interface's noise level (-256: the driver does not know). */
export function parseProcWireless(text: string, iface: string): number | undefined {
  const line = text.split('\n').find((l) => l.trim().startsWith(`${iface}:`));
  const noise = line ? Number(line.trim().split(/\s+/)[4]?.replace(/\.$/, '')) : NaN;
  return Number.isFinite(noise) && noise > -256 && noise < 0 ? noise : undefined;
}

/** The channel number of a frequency (2.4, 5 and 6 GHz bands). */
export function channelOf(mhz: number): number | undefined {
  if (mhz === 2484) return 14;
  if (mhz >= 2412 && mhz <= 2472) return (mhz - 2407) / 5;
  if (mhz >= 5955 && mhz <= 7115) return (mhz - 5950) / 5;
  if (mhz >= 5000 && mhz <= 5895) return (mhz - 5000) / 5;
  return undefined;
}

export function wifiFindings(data: Omit<Data, 'findings'>): Finding[] {
  if (!data.wireless) return [];
  if (!data.connected) return ['not-connected'];
  const findings: Finding[] = [];
  if (data.signalDbm !== undefined && data.signalDbm < checkThresholds.wifiWeakSignalDbm) {
    findings.push('weak-signal');
  }
  if (data.txBitrateMbps !== undefined && data.txBitrateMbps < checkThresholds.wifiLowBitrateMbps) {
    findings.push('low-bitrate');
  }
  if (data.channelBusyPct !== undefined && data.channelBusyPct > checkThresholds.wifiBusyPct) {
    findings.push('busy-channel');
  }
  return findings;
}

export async function wifi(config: AgentConfig): Promise<Measured<'wifi'>> {
  const iface = config.interface;
  const wireless =
    existsSync(`/sys/class/net/${iface}/wireless`) ||
    existsSync(`/sys/class/net/${iface}/phy80211`);
  if (!wireless) {
    return {
      ok: true,
      data: { interface: iface, wireless: false, connected: false, findings: [] },
    };
  }
  const [linkOut, surveyOut] = await Promise.all([
    run('iw', ['dev', iface, 'link'], { timeoutMs: 5000 }),
    run('iw', ['dev', iface, 'survey', 'dump'], { timeoutMs: 5000 }),
  ]);
  if (linkOut.code !== 0)
    throw new Error(`iw dev ${iface} link: ${linkOut.stderr.trim().slice(0, 200)}`);
  const link = parseIwLink(linkOut.stdout);
  const survey = parseSurvey(surveyOut.stdout);
  const procNoise = parseProcWireless(readFileSync('/proc/net/wireless', 'utf8'), iface);
  const { connected, ...measured } = link;
  const noiseDbm = survey.noiseDbm ?? procNoise;
  const data = {
    interface: iface,
    wireless,
    connected,
    ...measured,
    ...(noiseDbm !== undefined ? { noiseDbm } : {}),
    ...(link.frequencyMhz !== undefined ? { channel: channelOf(link.frequencyMhz) } : {}),
    ...(survey.busyPct !== undefined ? { channelBusyPct: survey.busyPct } : {}),
  };
  const findings = wifiFindings(data);
  return { ok: findings.length === 0, data: { ...data, findings } };
}
