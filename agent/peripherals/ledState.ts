import type { CaseStatus } from '../../contracts/case';

// What the status LED shows, decided from what the agent hears. Pure, so the
// whole mapping is tested without a serial port.

export const ledStates = [
  'idle',
  'diagnosing',
  'waiting_approval',
  'fixing',
  'fault',
  'offline',
] as const;
export type LedState = (typeof ledStates)[number];

/** One colour per state, as `#rrggbb` (the LED controller's protocol, agent/README.md). */
export const ledColours: Record<LedState, string> = {
  idle: '#00b050', // green: all is well
  diagnosing: '#0070ff', // blue: checks are running
  waiting_approval: '#ffb000', // amber: a person has to approve a fix
  fixing: '#a000ff', // violet: a fix is being carried out
  fault: '#ff0000', // red: something failed or the case went to a person
  offline: '#606060', // grey: no link to the cloud
};

export type AgentEvent =
  | { type: 'connected' }
  | { type: 'disconnected' }
  | { type: 'command'; kind: 'diagnose' | 'remediate' }
  | { type: 'command:failed' }
  | { type: 'case:status'; status: CaseStatus };

const forCaseStatus: Record<CaseStatus, LedState> = {
  open: 'diagnosing',
  diagnosing: 'diagnosing',
  awaiting_approval: 'waiting_approval',
  fixing: 'fixing',
  verifying: 'diagnosing',
  resolved: 'idle',
  cancelled: 'idle',
  escalated: 'fault',
};

export function nextLedState(current: LedState, event: AgentEvent): LedState {
  switch (event.type) {
    case 'connected':
      // The server follows up with the open case's status, if there is one.
      return 'idle';
    case 'disconnected':
      return 'offline';
    case 'command':
      return event.kind === 'diagnose' ? 'diagnosing' : 'fixing';
    case 'command:failed':
      return 'fault';
    case 'case:status':
      return forCaseStatus[event.status] ?? current;
  }
}
