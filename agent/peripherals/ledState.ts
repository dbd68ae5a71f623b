import type { CaseStatus } from '../../contracts/case';
import type { CloudPath } from '../../contracts/device';

// What the status LED shows, decided from what the agent hears. Pure, so the
// whole mapping is tested without a serial port.

export const ledStates = [
  'idle',
  'idle_lte',
  'diagnosing',
  'waiting_approval',
  'fixing',
  'fault',
  'offline',
  'untrusted',
] as const;
export type LedState = (typeof ledStates)[number];

/** One colour per state, as `#rrggbb` (the LED controller's protocol, agent/README.md). */
export const ledColours: Record<LedState, string> = {
  idle: '#00b050', // green: all is well
  idle_lte: '#00c0c0', // cyan: all is well, the cloud link runs over the box's own LTE
  diagnosing: '#0070ff', // blue: checks are running
  waiting_approval: '#ffb000', // amber: a person has to approve a fix
  fixing: '#a000ff', // violet: a fix is being carried out
  fault: '#ff0000', // red: something failed or the case went to a person
  offline: '#606060', // grey: no link to the cloud
  untrusted: '#ff00a0', // magenta: the cloud's certificate or pin was refused
};

export type AgentEvent =
  | { type: 'connected'; path?: CloudPath }
  | { type: 'disconnected' }
  /** A server answered with a certificate or key the box does not trust: nothing was sent. */
  | { type: 'untrusted' }
  | { type: 'command'; kind: 'diagnose' | 'remediate' }
  | { type: 'command:failed' }
  | { type: 'case:status'; status: CaseStatus };

const forCaseStatus: Record<CaseStatus, LedState> = {
  open: 'diagnosing',
  diagnosing: 'diagnosing',
  awaiting_approval: 'waiting_approval',
  // The customer is asked to do something on site: the light asks them too.
  awaiting_customer: 'waiting_approval',
  fixing: 'fixing',
  verifying: 'diagnosing',
  // A person works on it: the box's light still shows that something is wrong.
  awaiting_technician: 'fault',
  with_technician: 'fault',
  resolved: 'idle',
  cancelled: 'idle',
  escalated: 'fault',
  not_fixable_remotely: 'fault',
};

/** What the light shows, and the path of the cloud link the last `connected` named. */
export interface LightState {
  led: LedState;
  path: CloudPath;
}

export function nextLightState(current: LightState, event: AgentEvent): LightState {
  const path = event.type === 'connected' ? (event.path ?? 'wired') : current.path;
  const led = nextLedState(current.led, event);
  // Idle over LTE has its own colour, whichever event brought the light back to idle.
  return { led: led === 'idle' && path === 'lte' ? 'idle_lte' : led, path };
}

function nextLedState(current: LedState, event: AgentEvent): LedState {
  switch (event.type) {
    case 'connected':
      // The server follows up with the open case's status, if there is one.
      return 'idle';
    case 'disconnected':
      return 'offline';
    case 'untrusted':
      return 'untrusted';
    case 'command':
      return event.kind === 'diagnose' ? 'diagnosing' : 'fixing';
    case 'command:failed':
      return 'fault';
    case 'case:status':
      return forCaseStatus[event.status] ?? current;
  }
}
