import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startSimulatedAgent } from '../../agent/simulatedAgent';
import type { Backend } from '../../agent/executor';
import type { AppliedAction } from '../../agent/simulator/network';
import { spawnService, waitUntilReady } from '../../temporal-config/process';
import type { Restartable } from '../../temporal-config/process';

// Simulated Zen boxes in a process of their own, so a chaos test can kill -9
// them all and start them again: `agentFleet.ts '<json FleetConfig>'`, prints
// "connected" once every box is connected, and "online <k>/<n>" whenever the
// number of connected boxes changes. Each box keeps its remediation
// journal in a file, as the real agent does, and every action that reaches the
// (simulated) network is appended to applied-<deviceId>.jsonl before anything
// else can happen. The network itself outlives the box (a Pi that reboots does
// not un-reboot the modem): on start, the actions applied before are applied
// to the fresh model again, without being logged twice. A fix may take a
// while after it reached the network (a modem cycled by its plug takes
// minutes), so a box can be killed between its fix and its answer.

export interface FleetConfig {
  apiUrl: string;
  dir: string;
  devices: { deviceId: string; token: string; scenario: string }[];
  /** How long a fix goes on after it reached the network, before the box answers. */
  fixMs?: number;
  /** Between heartbeats (the agent's 30 s unless set); a box always beats once on connecting. */
  heartbeatMs?: number;
}

/** The boxes' process; `online()` is how many of its boxes are connected now. */
export interface AgentFleet extends Restartable {
  online(): number;
}

export function appliedLog(dir: string, deviceId: string): string {
  return path.join(dir, `applied-${deviceId}.jsonl`);
}

export function readApplied(dir: string, deviceId: string): AppliedAction[] {
  const file = appliedLog(dir, deviceId);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AppliedAction);
}

function main() {
  const config = JSON.parse(process.argv[2]!) as FleetConfig;
  let connected = 0;
  const total = config.devices.length;
  let online = 0;
  const report = (change: number) => {
    online += change;
    console.log(`online ${online}/${total}`);
  };
  for (const device of config.devices) {
    const agent = startSimulatedAgent({
      apiUrl: config.apiUrl,
      token: device.token,
      scenario: device.scenario,
      journalPath: path.join(config.dir, `journal-${device.deviceId}.json`),
      heartbeatMs: config.heartbeatMs,
      log: () => undefined,
    });
    const network = agent.network;
    const apply = network.apply.bind(network);
    for (const done of readApplied(config.dir, device.deviceId)) apply(done.action, done.params);
    // The executor awaits its backend: the answer waits for the whole fix.
    (network as Backend).apply = async (action, params) => {
      const message = apply(action, params);
      appendFileSync(
        appliedLog(config.dir, device.deviceId),
        JSON.stringify({ action, params }) + '\n',
      );
      await new Promise((resolve) => setTimeout(resolve, config.fixMs ?? 0));
      return message;
    };
    agent.socket.once('connect', () => {
      if (++connected === total) console.log('connected');
    });
    agent.socket.on('connect', () => report(1));
    agent.socket.on('disconnect', () => report(-1));
  }
}

const root = path.resolve(__dirname, '..', '..');

/** The simulated boxes as one process that can be killed and started again. */
export async function startAgentFleet(config: FleetConfig): Promise<AgentFleet> {
  let online = 0;
  const launch = async () => {
    let connected = false;
    online = 0;
    const service = spawnService(
      'agents',
      process.execPath,
      ['--import', 'tsx', path.join('test', 'chaos', 'agentFleet.ts'), JSON.stringify(config)],
      {
        cwd: root,
        echo: (line) => {
          const count = /\bonline (\d+)\//.exec(line);
          if (count) online = Number(count[1]);
          else connected ||= line.endsWith('] connected');
        },
      },
    );
    await waitUntilReady(service, async () => {
      if (!connected) throw new Error('not connected yet');
    });
    return service;
  };
  let service = await launch();
  return {
    name: 'agent',
    online: () =>
      service.child.exitCode === null && service.child.signalCode === null ? online : 0,
    pid: () => service.child.pid!,
    exited: () => service.exited,
    async kill() {
      service.child.kill('SIGKILL');
      await service.exited;
    },
    async start() {
      service = await launch();
    },
    stop: () => service.stop(),
  };
}

if (require.main === module) main();
