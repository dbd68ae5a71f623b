import { EventEmitter } from 'node:events';
import { Bonjour, type Service } from 'bonjour-service';
import type { z } from 'zod';
import type { checkData } from '../../contracts/diagnostics';

// LAN discovery over mDNS/DNS-SD: which services the customer's devices
// announce (printers, NAS, cameras). Browses every service type for a bounded
// time. Names and hosts are whatever the devices say: untrusted, cleaned of
// control characters and cut to the contract's lengths and counts.

export type MdnsData = z.infer<(typeof checkData)['mdns']>;

export interface MdnsOptions {
  /** How long to listen for answers. */
  durationMs?: number;
  /** At most this many services are kept (the contract allows 100). */
  maxServices?: number;
  /** The address of the interface to browse on (default: all). */
  interfaceAddress?: string;
}

/** Visible text only: no control, format or line-break characters. */
function clean(text: unknown, max: number): string {
  return String(text ?? '')
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .trim()
    .slice(0, max);
}

function describe(service: Service): MdnsData['services'][number] {
  const type = `_${clean(service.type, 40)}._${service.protocol === 'udp' ? 'udp' : 'tcp'}`;
  return {
    name: clean(service.name, 255),
    type: type.slice(0, 64),
    host: clean(service.host || service.referer?.address, 255),
  };
}

export function browseMdns(options: MdnsOptions = {}): Promise<MdnsData> {
  const durationMs = options.durationMs ?? 3000;
  const maxServices = Math.min(options.maxServices ?? 100, 100);
  return new Promise((resolve, reject) => {
    const found = new Map<string, MdnsData['services'][number]>();
    let settled = false;
    const bonjour = new Bonjour(
      options.interfaceAddress ? ({ interface: options.interfaceAddress } as object) : {},
      (err: Error) => finish(err),
    );
    // The socket's errors (port taken, no permission) come from multicast-dns,
    // which bonjour-service does not expose: without a listener they would crash the agent.
    const socket = (bonjour as unknown as { server?: { mdns?: unknown } }).server?.mdns;
    if (socket instanceof EventEmitter) socket.on('error', (err: Error) => finish(err));
    const browser = bonjour.find(null, (service) => {
      if (found.size >= maxServices) return;
      const entry = describe(service);
      found.set(JSON.stringify(entry), entry);
      if (found.size >= maxServices) finish();
    });
    const timer = setTimeout(() => finish(), durationMs);

    function finish(err?: Error) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      browser.stop();
      bonjour.destroy();
      if (err) reject(new Error(`mDNS discovery failed: ${err.message}`));
      else resolve({ services: [...found.values()] });
    }
  });
}
