import mongoose from 'mongoose';
import type { CloudPath } from '../../contracts/cloudPath';
import type { MonitorState, ProbeTarget } from '../../contracts/monitor';
import { notify } from '../../notifier/notify';
import { boundedMemory } from '../../store/lookups';
import { Device } from '../../store/models';
import { claimTransition, releaseTransition } from '../../store/monitorTransitions';
import { openAgentCase } from '../cases';
import type { MonitoredDevice, MonitoringDeps } from './device';
import { subscriptionOfCustomer } from './subscription';

// A change of the box's monitor state: a confirmed fault opens the box's case on
// the agent channel (at most one per device, as every case) and raises internet_down;
// the way back raises internet_recovered. A change is one against the state stored on
// the device document; of two API instances receiving it, only the one whose claim on
// it is stored first acts (store/monitorTransitions.ts), and the stored state is then
// swapped with a compare-and-set. When acting fails, both are undone and the next beat
// tries again.

/** How long opening the box's case may take before the change is tried again. */
const openDeadlineMs = 20_000;

const whatFailed: Record<ProbeTarget, string> = {
  gateway: 'the office router stopped answering',
  dns: 'looking up website names stopped working',
  internet: 'the internet stopped answering',
  http: 'websites stopped loading',
};

/** The case's description, in the words a customer reads. */
export function faultDescription(state: MonitorState, cloudPath: CloudPath | undefined): string {
  const parts = state.failing.map((target) => whatFailed[target]);
  const what = parts.length > 0 ? joinWords(parts) : 'the network stopped working';
  const at = state.since.slice(11, 16);
  const words = [`The Zen box noticed on its own that ${what} (since ${at} UTC).`];
  if ((state.flaps ?? 0) > 1) {
    words.push(`The connection has dropped ${state.flaps} times in the last hour.`);
  }
  if (cloudPath === 'lte') {
    words.push(
      'The box itself is still online over its own mobile (LTE) connection, so it can be checked and fixed remotely.',
    );
  }
  return words.join(' ');
}

function joinWords(parts: string[]): string {
  return parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/**
 * The state this process last saw settled per device document: every heartbeat carries
 * the state, and one that says nothing new costs no database read.
 */
const settled = boundedMemory<string>();
const stateKey = (state: MonitorState) => JSON.stringify(state);

interface StoredDevice {
  customerId: string;
  health?: { cloudPath?: CloudPath };
  monitorState?: MonitorState;
}

export async function actOnMonitorState(
  deps: MonitoringDeps,
  device: MonitoredDevice,
  state: MonitorState,
): Promise<void> {
  const self = { _id: device.docId };
  if (settled.get(device.docId) === stateKey(state)) return;
  // Only a change acts: healthy→fault, or fault→healthy (a box never in fault recovers from nothing).
  const expected = state.state === 'fault' ? mongoose.trusted({ $ne: 'fault' }) : 'fault';
  const doc = (await Device.findOne(self, {
    customerId: 1,
    health: 1,
    monitorState: 1,
  }).lean()) as StoredDevice | null;
  const previous = doc?.monitorState;
  if (!doc) return;
  if ((previous?.state ?? 'healthy') === state.state) {
    // No change to act on, but what the page shows is kept: the box's first verdict, and
    // while in fault what fails and how often it flapped.
    if (!previous) {
      await Device.updateOne(
        { ...self, monitorState: mongoose.trusted({ $exists: false }) },
        { $set: { monitorState: state } },
      );
    } else if (stateKey(previous) !== stateKey(state)) {
      await Device.updateOne(
        { ...self, 'monitorState.state': state.state },
        { $set: { monitorState: state } },
      );
    }
    settled.remember(device.docId, stateKey(state));
    return;
  }
  // Another instance acts on this change.
  if (!(await claimTransition(device.docId, state))) return;
  try {
    const swapped = await Device.updateOne(
      { ...self, 'monitorState.state': expected },
      { $set: { monitorState: state } },
    );
    // Another instance stored a newer change meanwhile: this one is past.
    if (swapped.modifiedCount !== 1) return;
    if (state.state === 'fault') await openFault(deps, device, doc, state);
    else await raiseRecovered(deps, device, doc.customerId, state, previous);
    settled.remember(device.docId, stateKey(state));
  } catch (err) {
    // Put the stored state back (unless a newer one replaced it) so the next beat acts again.
    await Device.updateOne(
      { ...self, 'monitorState.since': state.since },
      previous ? { $set: { monitorState: previous } } : { $unset: { monitorState: 1 } },
    );
    await releaseTransition(device.docId, state);
    throw err;
  }
}

async function openFault(
  deps: MonitoringDeps,
  device: MonitoredDevice,
  doc: StoredDevice,
  state: MonitorState,
) {
  const subscription = await subscriptionOfCustomer(doc.customerId);
  if (!subscription.rules.monitors) {
    deps.logger.info(
      { deviceId: device.deviceId, subscription: subscription.status },
      'the box confirmed a fault: the subscription has ended, so nobody is told',
    );
    return;
  }
  const opened = subscription.rules.opensCases
    ? await openFaultCase(deps, device, doc, state)
    : undefined;
  if (!opened) {
    deps.logger.info(
      { deviceId: device.deviceId, subscription: subscription.status },
      'the box confirmed a fault: the subscription opens no case, people are told',
    );
  }
  await notify(deps.temporal, deps.defaults.taskQueue, {
    type: 'internet_down',
    key: `internet_down:${device.deviceId}:${state.since}`,
    at: new Date().toISOString(),
    customerId: doc.customerId,
    deviceId: device.deviceId,
    ...(opened && { caseId: opened.caseId }),
    facts: { failing: state.failing, since: state.since },
  });
}

async function openFaultCase(
  deps: MonitoringDeps,
  device: MonitoredDevice,
  doc: StoredDevice,
  state: MonitorState,
) {
  const principal = {
    id: device.docId,
    role: 'device' as const,
    customerId: doc.customerId,
    deviceId: device.deviceId,
  };
  const description = faultDescription(state, device.cloudPath ?? doc.health?.cloudPath);
  // Bounded: with no worker taking the case, the change is undone and the next beat tries again.
  const opened = await deps.temporal.withDeadline(Date.now() + openDeadlineMs, () =>
    openAgentCase(
      deps.temporal,
      principal,
      { deviceId: device.deviceId, description },
      deps.defaults,
      deps.voice,
    ),
  );
  deps.logger.info(
    { deviceId: device.deviceId, caseId: opened.caseId, joined: opened.joined },
    'the box confirmed a fault: its case is open',
  );
  return opened;
}

async function raiseRecovered(
  deps: MonitoringDeps,
  device: MonitoredDevice,
  customerId: string,
  state: MonitorState,
  fault: MonitorState | undefined,
) {
  deps.logger.info({ deviceId: device.deviceId }, 'the box reports the network healthy again');
  if (!(await subscriptionOfCustomer(customerId)).rules.monitors) return;
  await notify(deps.temporal, deps.defaults.taskQueue, {
    type: 'internet_recovered',
    key: `internet_recovered:${device.deviceId}:${state.since}`,
    at: new Date().toISOString(),
    customerId,
    deviceId: device.deviceId,
    // How long it lasted and what had failed: the fault's start and its targets.
    facts: { since: fault?.since ?? state.since, failing: fault?.failing ?? [] },
  });
}
