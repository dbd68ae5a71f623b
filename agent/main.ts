import { parseArgs } from 'node:util';
import { connectAgent } from './connection';

// The Pi agent's entry point. `--simulate <scenario>` runs it with a network
// model instead of the real tools (npm start, demos, machines without root).

const { values } = parseArgs({
  options: {
    simulate: { type: 'string' },
    api: { type: 'string', default: process.env.ZEN_API_URL ?? 'http://127.0.0.1:4000' },
  },
});

const token = process.env.ZEN_DEVICE_TOKEN;
if (!token) {
  console.error('ZEN_DEVICE_TOKEN is not set: the agent needs its device token to connect.');
  process.exit(2);
}

const started = Date.now();
const scenario = values.simulate ?? 'real';
const socket = connectAgent({
  apiUrl: values.api!,
  token,
  health: () => ({
    led: 'idle',
    uptimeSeconds: Math.round((Date.now() - started) / 1000),
    summary: values.simulate ? `simulated (${scenario})` : 'ok',
  }),
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    socket.disconnect();
    process.exit(0);
  });
}
