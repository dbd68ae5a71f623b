import mongoose from 'mongoose';
import { closedStatuses } from '../contracts/case';
import { connectStore, disconnectStore } from '../store/connection';
import { Case, Device } from '../store/models';
import type { DemoCredentials } from './seed';

// The Zen box that one `npm run demo` uses: one fixed box per scenario, registered for
// the run and removed from the customer's list when the run ends (or is stopped), so
// demos leave their cases in the history but no offline boxes behind. A run that was
// killed outright left its box; the next run of that scenario takes it over.

export interface DemoRunBox {
  deviceId: string;
  deviceToken: string;
  /** Closes the box's case if the run left it open, and removes the box. */
  release(): Promise<void>;
}

type Call = <T>(path: string, token: string, body?: unknown) => Promise<T>;

export async function borrowDemoRunBox(options: {
  call: Call;
  mongoUrl: string;
  credentials: DemoCredentials;
  scenario: string;
}): Promise<DemoRunBox> {
  const { call, credentials } = options;
  const customer = credentials.customer.token;
  const deviceId = `pi-demo-${options.scenario}`;
  let deviceToken: string;
  try {
    ({ deviceToken } = await call<{ deviceToken: string }>('/api/device/register', customer, {
      deviceId,
      serialNumber: `SIM-${deviceId}`,
      networkInfo: { interfaces: ['eth0'], defaultGateway: '192.168.1.1' },
    }));
  } catch (err) {
    if (!/DEVICE_EXISTS/.test((err as Error).message)) throw err;
    ({ deviceToken } = await call<{ deviceToken: string }>(
      `/api/devices/${deviceId}/token/rotate`,
      customer,
      {},
    ));
  }

  let released = false;
  return {
    deviceId,
    deviceToken,
    async release() {
      if (released) return;
      released = true;
      await connectStore(options.mongoUrl);
      try {
        const open = await Case.findOne({
          deviceId,
          status: mongoose.trusted({ $nin: closedStatuses }),
        }).lean();
        if (open) {
          await call(`/api/cases/${open._id}/close`, credentials.operator.token, {
            reason: 'The demo run was stopped before its case ended.',
          });
        }
        await Device.deleteOne({ deviceId, customerId: credentials.customer.id });
      } finally {
        await disconnectStore();
      }
    },
  };
}
