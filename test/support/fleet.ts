import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { startSimulatedAgent, type SimulatedAgent } from '../../agent/simulatedAgent';
import type { DeviceCommand } from '../../contracts/device';
import { Device } from '../../store/models';
import { hashToken, newToken } from '../../store/tokens';
import type { DemoCredentials } from '../../scripts/seed';
import { eventually } from './stack';

// Many registered devices of one customer, each with its own token, for runs
// that connect a whole fleet of simulated Zen boxes.

export interface FleetDevice {
  deviceId: string;
  token: string;
}

export async function seedFleet(demo: DemoCredentials, count: number): Promise<FleetDevice[]> {
  const batch = randomUUID().slice(0, 8);
  const devices = Array.from({ length: count }, (_, i) => ({
    deviceId: `pi-fleet-${batch}-${String(i).padStart(4, '0')}`,
    token: newToken('zd'),
  }));
  await Device.insertMany(
    devices.map((d) => ({
      customerId: demo.customer.id,
      siteId: demo.siteId,
      deviceId: d.deviceId,
      serialNumber: `SN-${d.deviceId}`,
      tokenHash: hashToken(d.token),
    })),
  );
  return devices;
}

/**
 * A simulated agent per device, all in this process, device i to `apiUrls[i % n]`; resolves
 * once the API has every one of them online. `onCommand` hears each command as its device
 * receives it.
 */
export async function connectFleet(
  apiUrls: string[],
  devices: FleetDevice[],
  scenario: string,
  { onCommand }: { onCommand?: (command: DeviceCommand) => void } = {},
): Promise<SimulatedAgent[]> {
  // In batches, each online before the next: a thousand handshakes at once
  // would time out and retry as a herd.
  const agents: SimulatedAgent[] = [];
  for (let i = 0; i < devices.length; i += 50) {
    const batch = devices.slice(i, i + 50);
    for (const [j, d] of batch.entries()) {
      const apiUrl = apiUrls[(i + j) % apiUrls.length]!;
      const agent = startSimulatedAgent({ apiUrl, token: d.token, scenario, log: () => undefined });
      if (onCommand) agent.socket.on('command', onCommand);
      agents.push(agent);
    }
    const ids = batch.map((d) => d.deviceId);
    await eventually(
      async () =>
        (await Device.countDocuments({
          deviceId: mongoose.trusted({ $in: ids }),
          status: 'online',
        })) === ids.length,
      { timeoutMs: 60_000, what: `simulated devices ${i + 1}-${i + ids.length} online` },
    );
  }
  return agents;
}
