// The worker's line to the API, which holds the device and portal sockets.
// Authenticated with the internal service token.

import type { DeviceCommand } from '../contracts/device';

export interface ApiLink {
  pushCommand(deviceId: string, command: DeviceCommand): Promise<void>;
  notifyCase(caseId: string, event: Record<string, unknown>): Promise<void>;
}

export function createApiLink(apiUrl: string, token: string): ApiLink {
  async function post(path: string, body: unknown): Promise<void> {
    const res = await fetch(`${apiUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) throw new Error(`API ${path} answered ${res.status}: ${await res.text()}`);
  }
  return {
    pushCommand: (deviceId, command) =>
      post(`/api/internal/device-commands/${encodeURIComponent(command.commandId)}/push`, {
        deviceId,
        command,
      }),
    // Live updates are a convenience: the document is already written, so a
    // missed notification must not fail (and repeat) the step.
    notifyCase: (caseId, event) =>
      post(`/api/internal/cases/${encodeURIComponent(caseId)}/events`, event).catch(() => {}),
  };
}
