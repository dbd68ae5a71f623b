import { io, type Socket } from 'socket.io-client';

// The Pi's only link to the cloud: one outbound socket.io connection to the
// API's /device namespace, authenticated with the device token.

export interface AgentLinkOptions {
  apiUrl: string;
  token: string;
  heartbeatMs?: number;
  health: () => { led: string; uptimeSeconds: number; summary: string };
  log?: (line: string) => void;
}

export function connectAgent(options: AgentLinkOptions): Socket {
  const log = options.log ?? ((line: string) => console.log(line));
  const socket = io(`${options.apiUrl}/device`, {
    auth: { token: options.token },
    transports: ['websocket'],
    // Back off up to 30 s between attempts so a long outage does not hammer the API.
    reconnectionDelay: 1000,
    reconnectionDelayMax: 30_000,
  });
  const beat = () => socket.emit('heartbeat', options.health());
  const timer = setInterval(() => socket.connected && beat(), options.heartbeatMs ?? 30_000);
  socket.on('connect', () => {
    log(`connected to ${options.apiUrl}`);
    beat();
  });
  socket.on('disconnect', (reason) => log(`disconnected (${reason}); reconnecting`));
  socket.on('connect_error', (err) => log(`cannot connect: ${err.message}`));
  const disconnect = socket.disconnect.bind(socket);
  socket.disconnect = () => {
    clearInterval(timer);
    return disconnect();
  };
  return socket;
}
