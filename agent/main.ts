import { parseArgs } from 'node:util';
import type { Socket } from 'socket.io-client';
import { connectAgent } from './connection';
import { startSimulatedAgent } from './simulatedAgent';

// The Pi agent's entry point. `--simulate <scenario>` runs it with a network
// model instead of the real tools (npm start, demos, machines without root).

const { values } = parseArgs({
  options: {
    simulate: { type: 'string' },
    api: { type: 'string', default: process.env.ZEN_API_URL ?? 'http://127.0.0.1:4000' },
    journal: { type: 'string', default: process.env.ZEN_AGENT_JOURNAL },
  },
});

const token = process.env.ZEN_DEVICE_TOKEN;
if (!token) {
  console.error('ZEN_DEVICE_TOKEN is not set: the agent needs its device token to connect.');
  process.exit(2);
}

function start(apiUrl: string, token: string): Socket {
  if (values.simulate) {
    return startSimulatedAgent({
      apiUrl,
      token,
      scenario: values.simulate,
      journalPath: values.journal,
    }).socket;
  }
  // The real Linux tools come later: until then the agent only reports its health.
  const started = Date.now();
  return connectAgent({
    apiUrl,
    token,
    health: () => ({
      led: 'idle',
      uptimeSeconds: Math.round((Date.now() - started) / 1000),
      summary: 'ok',
    }),
  });
}

let socket: Socket;
try {
  socket = start(values.api!, token);
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(2);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    socket.disconnect();
    process.exit(0);
  });
}
