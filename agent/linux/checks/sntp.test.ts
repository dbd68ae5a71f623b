import { buildRequest, parseReply, readTimestamp, writeTimestamp } from './sntp';

/** A server's answer to `request`: it received at `receiveMs` and sent at `transmitMs`. */
function reply(
  request: Buffer,
  receiveMs: number,
  transmitMs: number,
  { mode = 4, stratum = 2, leap = 0 } = {},
) {
  const packet = Buffer.alloc(48);
  packet[0] = (leap << 6) | (4 << 3) | mode;
  packet[1] = stratum;
  request.copy(packet, 24, 40, 48);
  writeTimestamp(packet, 32, receiveMs);
  writeTimestamp(packet, 40, transmitMs);
  return packet;
}

describe('SNTP', () => {
  const t1 = Date.UTC(2026, 0, 6, 12, 0, 0, 250);

  it('round-trips a timestamp to the millisecond', () => {
    const buf = Buffer.alloc(8);
    writeTimestamp(buf, 0, t1);
    expect(readTimestamp(buf, 0)).toBeCloseTo(t1, 0);
    // Seconds since 1900, not 1970.
    expect(buf.readUInt32BE(0)).toBe(Math.floor(t1 / 1000) + 2_208_988_800);
  });

  it('is a version 4 client request carrying its own send time', () => {
    const request = buildRequest(t1);
    expect(request.length).toBe(48);
    expect(request[0]).toBe(0x23);
    expect(readTimestamp(request, 40)).toBeCloseTo(t1, 0);
  });

  it('measures a box 10 s behind over a 40 ms round trip', () => {
    const request = buildRequest(t1);
    // 20 ms each way, 1 ms in the server; the server's clock is 10 s ahead of the box's.
    const sample = parseReply(reply(request, t1 + 20 + 10_000, t1 + 21 + 10_000), request, t1 + 41);
    expect(sample?.stratum).toBe(2);
    expect(sample?.offsetMs).toBeCloseTo(10_000, 0);
    expect(sample?.roundTripMs).toBeCloseTo(40, 0);
  });

  it('ignores answers to other requests, kisses of death and unsynchronised servers', () => {
    const request = buildRequest(t1);
    const other = buildRequest(t1 + 5);
    expect(parseReply(reply(other, t1, t1), request, t1)).toBeUndefined();
    expect(parseReply(reply(request, t1, t1, { stratum: 0 }), request, t1)).toBeUndefined();
    expect(parseReply(reply(request, t1, t1, { leap: 3 }), request, t1)).toBeUndefined();
    expect(parseReply(reply(request, t1, t1, { mode: 3 }), request, t1)).toBeUndefined();
    expect(parseReply(Buffer.alloc(20), request, t1)).toBeUndefined();
  });
});
