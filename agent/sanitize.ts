import { createHash } from 'node:crypto';
import { CheckResult } from '../contracts/diagnostics';

// What leaves the Pi: MAC addresses and serial numbers become short hashes (still
// comparable between cases, no longer identifying), and public IPv4 addresses in
// free text are cut to their /24. Typed address fields stay whole: the contracts
// require valid addresses there, and the advisor needs them.

const MAC = /\b(?:[0-9a-f]{2}[:-]){5}[0-9a-f]{2}\b/gi;
const IPV4 = /\b(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\b/g;
const BARE_IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const SERIAL_KEY = /^serial(number|no)?$/i;
/** Keys whose values are always free text, even when they look like a bare address. */
const FREE_TEXT_KEYS = new Set([
  'name',
  'url',
  'serverHeader',
  'operator',
  'error',
  'location',
  'value',
  'bodyExcerpt',
  'detail',
  'subject',
  'issuer',
  'model',
  'release',
  'ssid',
]);

function shortHash(prefix: string, value: string): string {
  return `${prefix}:${createHash('sha256').update(value).digest('hex').slice(0, 12)}`;
}

export function hashMac(mac: string): string {
  return shortHash('mac', mac.toLowerCase().replace(/[^0-9a-f]/g, ''));
}

function isPublic(a: number, b: number): boolean {
  const privateOrSpecial =
    a === 0 ||
    a === 10 ||
    a === 127 ||
    a >= 224 ||
    (a === 100 && b >= 64 && b < 128) || // carrier-grade NAT
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b < 32) ||
    (a === 192 && b === 168);
  return !privateOrSpecial;
}

/** Hashes MACs and cuts public IPv4 addresses to their /24 inside free text. */
export function sanitizeText(text: string): string {
  return text
    .replace(MAC, hashMac)
    .replace(IPV4, (ip: string, a: string, b: string, c: string, d: string) => {
      const octets = [a, b, c, d].map(Number);
      if (octets.some((o) => o > 255)) return ip; // not an address at all
      return isPublic(octets[0]!, octets[1]!) ? `${a}.${b}.${c}.0/24` : ip;
    });
}

function sanitizeValue(value: unknown, key: string, freeText: boolean, bounded: boolean): unknown {
  if (typeof value === 'string') {
    if (SERIAL_KEY.test(key)) return shortHash('serial', value);
    const typedAddress = !freeText && !FREE_TEXT_KEYS.has(key) && BARE_IPV4.test(value);
    if (typedAddress) return value;
    const clean = sanitizeText(value);
    return bounded ? clean.slice(0, value.length) : clean;
  }
  if (Array.isArray(value)) return value.map((item) => sanitizeValue(item, key, freeText, bounded));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, sanitizeValue(v, k, freeText, bounded)]),
    );
  }
  return value;
}

/** Sanitizes any JSON-like value; `freeText` treats even bare addresses as free text. */
export function sanitize(value: unknown, freeText = false, bounded = false): unknown {
  return sanitizeValue(value, '', freeText, bounded);
}

export function sanitizeResult(result: CheckResult): CheckResult {
  // Everything in an mDNS answer is whatever a device on the LAN chose to announce.
  const freeText = result.check === 'mdns';
  const clean = sanitize(result, freeText);
  if (CheckResult.safeParse(clean).success) return clean as CheckResult;
  // "x.x.x.0/24" is longer than the address it replaces: a field near its length limit
  // could outgrow the contract, and the cloud would refuse the whole answer.
  return sanitize(result, freeText, true) as CheckResult;
}
