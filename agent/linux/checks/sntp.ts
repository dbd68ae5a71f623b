// SNTP (RFC 4330) in and out: a 48-byte client request and the four
// timestamps of an answer. NTP counts seconds from 1900 in 32.32 fixed point.

const NTP_EPOCH_OFFSET_S = 2_208_988_800;
const PACKET_SIZE = 48;
const MODE_CLIENT = 3;
const MODE_SERVER = 4;
const VERSION = 4;

export function writeTimestamp(buf: Buffer, at: number, ms: number): void {
  const seconds = Math.floor(ms / 1000) + NTP_EPOCH_OFFSET_S;
  const fraction = Math.floor(((ms % 1000) / 1000) * 2 ** 32);
  buf.writeUInt32BE(seconds >>> 0, at);
  buf.writeUInt32BE(fraction >>> 0, at + 4);
}

export function readTimestamp(buf: Buffer, at: number): number {
  const seconds = buf.readUInt32BE(at) - NTP_EPOCH_OFFSET_S;
  return seconds * 1000 + (buf.readUInt32BE(at + 4) / 2 ** 32) * 1000;
}

/** A client request whose transmit time is `nowMs`: the server echoes it back as "originate". */
export function buildRequest(nowMs: number): Buffer {
  const packet = Buffer.alloc(PACKET_SIZE);
  packet[0] = (VERSION << 3) | MODE_CLIENT;
  writeTimestamp(packet, 40, nowMs);
  return packet;
}

export interface SntpSample {
  /** Reference minus box: positive when the box is behind. */
  offsetMs: number;
  roundTripMs: number;
  stratum: number;
}

/**
 * The offset and round trip from a server's answer to `request`, received at `receivedMs`;
 * undefined for anything else (another request's answer, a kiss-of-death, an unsynchronised server).
 */
export function parseReply(
  reply: Buffer,
  request: Buffer,
  receivedMs: number,
): SntpSample | undefined {
  if (reply.length < PACKET_SIZE) return undefined;
  const leap = reply[0]! >> 6;
  const mode = reply[0]! & 7;
  const stratum = reply[1]!;
  if (mode !== MODE_SERVER || leap === 3 || stratum === 0 || stratum > 15) return undefined;
  if (!reply.subarray(24, 32).equals(request.subarray(40, 48))) return undefined;
  const t1 = readTimestamp(request, 40);
  const t2 = readTimestamp(reply, 32);
  const t3 = readTimestamp(reply, 40);
  const t4 = receivedMs;
  return {
    offsetMs: Math.round(((t2 - t1 + (t3 - t4)) / 2) * 10) / 10,
    roundTripMs: Math.round((t4 - t1 - (t3 - t2)) * 10) / 10,
    stratum,
  };
}
