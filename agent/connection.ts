import { io, type Socket } from 'socket.io-client';
import { CaseStatusEvent, type CommandResult, type Heartbeat } from '../contracts/device';
import type { AgentEvent } from './peripherals/ledState';
import { jsonLog, type Log } from './log';
import { createOutbox } from './outbox';

// The Pi's only link to the cloud: one outbound socket.io connection to the
// API's /device namespace, authenticated with the device token.

export interface AgentLinkOptions {
  apiUrl: string;
  token: string;
  heartbeatMs?: number;
  health: () => Heartbeat;
  /** What the agent hears and does, for the status LED. */
  onEvent?: (event: AgentEvent) => void;
  /** Runs one `command` from the server; its result goes back as `command:result`. */
  onCommand?: (command: unknown) => Promise<CommandResult>;
  /** How long the server has to acknowledge a result before it is sent again. */
  ackTimeoutMs?: number;
  log?: Log;
}

export function connectAgent(options: AgentLinkOptions): Socket {
  const log = options.log ?? jsonLog;
  const socket = io(`${options.apiUrl}/device`, {
    auth: { token: options.token },
    transports: ['websocket'],
    // Back off up to 30 s between attempts so a long outage does not hammer the API.
    reconnectionDelay: 1000,
    reconnectionDelayMax: 30_000,
  });
  const beat = () => socket.emit('heartbeat', options.health());
  const tell = options.onEvent ?? (() => undefined);
  const timer = setInterval(() => socket.connected && beat(), options.heartbeatMs ?? 30_000);
  socket.on('connect', () => {
    log(`connected to ${options.apiUrl}`);
    tell({ type: 'connected' });
    beat();
  });
  socket.on('disconnect', (reason) => {
    log(`disconnected (${reason}); reconnecting`);
    tell({ type: 'disconnected' });
  });
  socket.on('case:status', (payload: unknown) => {
    const event = CaseStatusEvent.safeParse(payload);
    if (event.success) tell({ type: 'case:status', status: event.data.status });
  });
  socket.on('connect_error', (err) => log(`cannot connect: ${err.message}`));

  const outbox = createOutbox(socket, { ackTimeoutMs: options.ackTimeoutMs ?? 10_000, log });
  const onCommand = options.onCommand;
  if (onCommand) {
    // One command at a time, so results leave in the order the commands came.
    let work = Promise.resolve();
    socket.on('command', (command: unknown, ack?: (reply: { ok: true }) => void) => {
      ack?.({ ok: true });
      const { kind, caseId } = (command ?? {}) as { kind?: unknown; caseId?: unknown };
      work = work.then(async () => {
        try {
          if (kind === 'diagnose' || kind === 'remediate') tell({ type: 'command', kind });
          const result = await onCommand(command);
          if (!result.ok) tell({ type: 'command:failed' });
          log(`command ${result.ok ? 'done' : 'refused or failed'}`, {
            caseId: typeof caseId === 'string' ? caseId : undefined,
            commandId: result.commandId,
            kind: result.kind,
            ...(!result.ok && { error: result.error }),
          });
          outbox.send(result);
        } catch (err) {
          tell({ type: 'command:failed' });
          log(`command could not be handled: ${err instanceof Error ? err.message : String(err)}`);
        }
      });
    });
  }

  const disconnect = socket.disconnect.bind(socket);
  socket.disconnect = () => {
    clearInterval(timer);
    outbox.close();
    return disconnect();
  };
  return socket;
}
