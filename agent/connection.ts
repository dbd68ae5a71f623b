import type { Agent } from 'node:http';
import { io, type Socket } from 'socket.io-client';
import { CaseStatusEvent, type CommandResult, type Heartbeat } from '../contracts/device';
import { HeartbeatAck } from '../contracts/monitor';
import type { AgentEvent } from './peripherals/ledState';
import { jsonLog, type Log } from './log';
import { createOutbox } from './outbox';

// The Pi's link to the cloud: one outbound socket.io connection to the API's
// /device namespace, authenticated with the device token. Which network it takes
// is the cloud link's business (agent/cloud/link.ts), through `agent`.

export interface AgentLinkOptions {
  apiUrl: string;
  token: string;
  /** Opens the connections (trust settings and route); node's default agent when absent. */
  agent?: Agent;
  /** Read before each beat: the interval depends on the path the link takes. */
  heartbeatMs?: number | (() => number);
  health: () => Heartbeat;
  /** The server's answer to a heartbeat (what of the monitor's intervals it stored). */
  onHeartbeatAck?: (ack: HeartbeatAck) => void;
  /** What the agent hears and does, for the status LED. */
  onEvent?: (event: AgentEvent) => void;
  /** Runs one `command` from the server; its result goes back as `command:result`. */
  onCommand?: (command: unknown) => Promise<CommandResult>;
  /** How long the server has to acknowledge a result before it is sent again. */
  ackTimeoutMs?: number;
  log?: Log;
}

export interface AgentSocket extends Socket {
  /** Drops the connection and connects again at once (a new path, no back-off). */
  reconnectNow(): void;
  /** A heartbeat now, not at the next interval (a confirmed change of the monitor's state). */
  beatNow(): void;
}

export function connectAgent(options: AgentLinkOptions): AgentSocket {
  const log = options.log ?? jsonLog;
  const socket = io(`${options.apiUrl}/device`, {
    auth: { token: options.token },
    transports: ['websocket'],
    // Back off up to 30 s between attempts so a long outage does not hammer the API.
    reconnectionDelay: 1000,
    reconnectionDelayMax: 30_000,
    // engine.io-client types `agent` as string | boolean; in node it hands it to ws, which uses it.
    ...(options.agent && { agent: options.agent as unknown as string }),
  }) as AgentSocket;
  const heartbeatAckMs = 10_000;
  const beat = () =>
    socket
      .timeout(heartbeatAckMs)
      .emit('heartbeat', options.health(), (err: unknown, reply: unknown) => {
        // No answer in time: the unacknowledged intervals simply go again with the next beat.
        if (err) return;
        const ack = HeartbeatAck.safeParse(reply);
        if (ack.success) options.onHeartbeatAck?.(ack.data);
      });
  const tell = options.onEvent ?? (() => undefined);
  const interval = options.heartbeatMs ?? 30_000;
  let timer: NodeJS.Timeout;
  const schedule = () => {
    timer = setTimeout(
      () => {
        if (socket.connected) beat();
        schedule();
      },
      typeof interval === 'function' ? interval() : interval,
    );
  };
  schedule();
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
  socket.beatNow = () => {
    if (socket.connected) beat();
  };
  socket.reconnectNow = () => {
    disconnect();
    socket.connect();
  };
  socket.disconnect = () => {
    clearTimeout(timer);
    outbox.close();
    return disconnect();
  };
  return socket;
}
