import dgram from 'node:dgram';
import { checkThresholds } from '../../../contracts/diagnostics';
import type { AgentConfig } from '../../config';
import type { Measured } from '../checks';
import { buildRequest, parseReply, type SntpSample } from './sntp';
import { addressOf } from './resolve';

// The box's clock against an SNTP server: certificates (tcp_tls, the cloud's
// own link) fail once a clock is minutes off. Three requests 300 ms apart;
// the answer with the shortest round trip is the most exact. Done once all
// three are answered, or 2 s after the last was sent.

const REQUESTS = 3;
const SPACING_MS = 300;
const WAIT_MS = 2000;

/** Sends the requests and keeps the best answer; undefined when none came. */
export function querySntp(address: string): Promise<SntpSample | undefined> {
  const socket = dgram.createSocket('udp4');
  const requests: Buffer[] = [];
  let best: SntpSample | undefined;
  let done = false;
  return new Promise((resolve) => {
    const timers: NodeJS.Timeout[] = [];
    const finish = () => {
      if (done) return;
      done = true;
      timers.forEach(clearTimeout);
      socket.close();
      resolve(best);
    };
    socket.on('error', finish);
    let answered = 0;
    socket.on('message', (reply) => {
      const receivedMs = Date.now();
      for (const request of requests) {
        const sample = parseReply(reply, request, receivedMs);
        if (!sample) continue;
        answered += 1;
        if (!best || sample.roundTripMs < best.roundTripMs) best = sample;
      }
      if (answered === REQUESTS) finish();
    });
    for (let i = 0; i < REQUESTS; i += 1) {
      timers.push(
        setTimeout(() => {
          const request = buildRequest(Date.now());
          requests.push(request);
          socket.send(request, 123, address);
        }, i * SPACING_MS),
      );
    }
    timers.push(setTimeout(finish, (REQUESTS - 1) * SPACING_MS + WAIT_MS));
  });
}

export async function clockOffset(config: AgentConfig): Promise<Measured<'clock_offset'>> {
  const server = config.ntpServer;
  const maxOffsetMs = checkThresholds.maxClockOffsetMs;
  const address = await addressOf(server, config.resolvConfPath);
  const sample = address ? await querySntp(address) : undefined;
  if (!sample) return { ok: false, data: { server, address, maxOffsetMs } };
  const data = { server, address, maxOffsetMs, ...sample };
  return { ok: Math.abs(sample.offsetMs) <= maxOffsetMs, data };
}
