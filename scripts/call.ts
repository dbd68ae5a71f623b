import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';

// A simulated phone call from the terminal, through the local Telnyx stand-in:
//
//   npm run call -- --from +15551234567
//
// Prints what the caller hears; type digits and Enter to press them on the
// keypad, `h` (or Ctrl-D) to hang up. The stand-in is found through --standin,
// TELNYX_STANDIN_URL, or DATA_DIR/telnyx-stand-in.json ({"controlUrl": ...}),
// written by `npm start`.

interface CallView {
  state: 'ringing' | 'answered' | 'ended';
  heard: string[];
  gathering: boolean;
}

function standInUrl(flag: string | undefined): string {
  if (flag) return flag;
  if (process.env.TELNYX_STANDIN_URL) return process.env.TELNYX_STANDIN_URL;
  const file = path.join(loadConfig().dataDir, 'telnyx-stand-in.json');
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { controlUrl?: string };
    if (saved.controlUrl) return saved.controlUrl;
  }
  throw new Error('No Telnyx stand-in found: is `npm start` running? (or pass --standin URL)');
}

async function control<T>(base: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}/control${route}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as T & { error?: string };
  if (!res.ok) throw new Error(json.error ?? `stand-in answered ${res.status}`);
  return json;
}

async function main() {
  const { values } = parseArgs({
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      standin: { type: 'string' },
    },
  });
  if (!values.from) {
    console.error('usage: npm run call -- --from +15551234567 [--to +15550000100] [--standin URL]');
    process.exit(2);
  }
  const base = standInUrl(values.standin).replace(/\/(v2|control)\/?$/, '');
  const { callControlId } = await control<{ callControlId: string }>(base, '/calls', {
    from: values.from,
    to: values.to,
  });
  const id = encodeURIComponent(callControlId);
  console.log(`Calling from ${values.from}… (type digits + Enter for the keypad, "h" to hang up)`);

  const input = createInterface({ input: process.stdin });
  let ended = false;
  const hangup = async () => {
    if (!ended) await control(base, `/calls/${id}/hangup`, {}).catch(() => undefined);
  };
  input.on('line', (line) => {
    const text = line.trim();
    if (text === 'h' || text === 'hangup') return void hangup();
    const digits = text.replace(/[^0-9*#]/g, '');
    if (digits) void control(base, `/calls/${id}/dtmf`, { digits }).catch(() => undefined);
  });
  input.on('close', () => void hangup());

  let shown = 0;
  let prompted = false;
  for (;;) {
    const view = await control<CallView>(base, `/calls/${id}`);
    for (const line of view.heard.slice(shown)) console.log(`  ☎ ${line}`);
    shown = view.heard.length;
    if (view.gathering && !prompted) console.log('  [keypad] enter digits:');
    prompted = view.gathering;
    if (view.state === 'ended') break;
    await new Promise((r) => setTimeout(r, 250));
  }
  ended = true;
  console.log('Call ended.');
  input.close();
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
