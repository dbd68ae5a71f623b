import path from 'node:path';
import { lan, type Role, tsx } from './addresses';
import { type Lab } from './topology';

// Faults of the line's performance (issue #23), made with the kernel's own
// queues. This kernel has tbf, htb, pfifo and bfifo but no netem: a rate and a
// queue are tc's (tbf on both ends of the modem–ISP line, each shaping what it
// sends, as a DSL or cable line is shaped both ways); a fixed delay is a delay
// line, a TUN interface whose packets a user-space process holds back
// (delayLine.ts), with policy routing sending exactly the delayed traffic
// through it.

/** The line between the modem (`wan0`) and the ISP (`cust0`): down is what the ISP sends. */
const line = { down: { role: 'isp', dev: 'cust0' }, up: { role: 'mdm', dev: 'wan0' } } as const;

/** A line whose queue is kept short (what SQM or a sane modem does): a few packets' worth. */
export const saneQueueMs = 30;

export interface LineShape {
  downKbit: number;
  upKbit: number;
  /** How long the queue in front of each bottleneck may grow: a sane one holds tens of ms. */
  queueMs: number;
}

/** tbf on each end of the line: the rate, a burst of a few packets, and the queue's length in time. */
export async function shapeLine(lab: Lab, shape: LineShape): Promise<void> {
  for (const [end, kbit] of [
    [line.down, shape.downKbit],
    [line.up, shape.upKbit],
  ] as const) {
    await lab.in(end.role, 'tc', [
      ...['qdisc', 'replace', 'dev', end.dev, 'root', 'tbf'],
      ...['rate', `${kbit}kbit`, 'burst', '4500', 'latency', `${shape.queueMs}ms`],
    ]);
  }
}

/** Which packets cross the delay line. */
export type Delayed =
  /** Everything the modem forwards from the office out to the ISP. */
  | { what: 'line' }
  /** The router's own DNS queries to its upstream resolver (not what it forwards for the LAN). */
  | { what: 'router-dns' };

const delayTable = '7';
const delayMark = '0x35';

/**
 * A TUN interface `dly0` in the namespace, socat carrying its packets to the delay line
 * and back, and routes that send the chosen packets through it; what comes out of it
 * takes the ordinary routes.
 */
export async function startDelayLine(lab: Lab, delayed: Delayed, delayMs: number): Promise<void> {
  const role: Role = delayed.what === 'line' ? 'mdm' : 'rt';
  const port = 4789;
  lab.start('delay-line', role, process.execPath, [
    ...tsx,
    path.join(__dirname, 'delayLine.ts'),
    String(port),
    String(delayMs),
  ]);
  await lab.waitForPort(role, '127.0.0.1', port, 'udp');
  lab.start('delay-tun', role, 'socat', [
    ...['-b', '65536'],
    'TUN,tun-name=dly0,tun-type=tun,iff-no-pi,iff-up',
    `UDP:127.0.0.1:${port}`,
  ]);
  await waitForLink(lab, role, 'dly0');
  // Packets come back out of dly0 with addresses routed elsewhere (or the router's own).
  for (const key of ['all.rp_filter=0', 'dly0.rp_filter=0', 'dly0.accept_local=1']) {
    await lab.in(role, 'sysctl', ['-qw', `net.ipv4.conf.${key}`]);
  }
  await lab.in(role, 'ip', ['route', 'add', 'default', 'dev', 'dly0', 'table', delayTable]);
  if (delayed.what === 'line') {
    await lab.in(role, 'ip', [
      ...['rule', 'add', 'iif', 'lan0', 'lookup', delayTable, 'priority', '100'],
    ]);
    return;
  }
  // The router's own DNS queries: marked as they leave, routed again by the mark.
  await lab.nft(
    role,
    `table ip zen_delay {\n chain out {\n  type route hook output priority mangle;\n  ip daddr != ${lan.router} meta l4proto { tcp, udp } th dport 53 meta mark set ${delayMark}\n }\n}\n`,
  );
  await lab.in(role, 'ip', [
    ...['rule', 'add', 'fwmark', delayMark, 'lookup', delayTable, 'priority', '100'],
  ]);
}

async function waitForLink(lab: Lab, role: Role, dev: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const links = await lab.in(role, 'ip', ['-br', 'link']);
    if (new RegExp(`^${dev}\\s`, 'm').test(links)) return;
    if (Date.now() > deadline) throw new Error(`${dev} did not appear in ${role}:\n${lab.logs()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
