import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { CommandResult } from '../contracts/device';
import { baselineChecks } from '../contracts/checks';
import { startSimulatedAgent, type SimulatedAgent } from './simulatedAgent';

// The agent against a real socket.io server on 127.0.0.1 that plays the API's
// /device namespace.

const token = 'device-token-for-tests';

type Ack = (reply: unknown) => void;

let io: Server;
let apiUrl: string;
let agent: SimulatedAgent | undefined;

beforeAll(async () => {
  const http = createServer();
  io = new Server(http);
  io.of('/device').use((socket, next) => {
    const auth = socket.handshake.auth as { token?: unknown };
    next(auth.token === token ? undefined : new Error('unauthorized'));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});

afterEach(() => agent?.stop());

afterAll(async () => {
  await io.close();
});

function nextConnection(): Promise<ServerSocket> {
  return new Promise((resolve) => io.of('/device').once('connection', resolve));
}

function nextResult(socket: ServerSocket): Promise<{ result: unknown; ack: Ack }> {
  return new Promise((resolve) =>
    socket.once('command:result', (result: unknown, ack: Ack) => resolve({ result, ack })),
  );
}

async function start(scenario: string, ackTimeoutMs?: number) {
  const connected = nextConnection();
  agent = startSimulatedAgent({ apiUrl, token, scenario, ackTimeoutMs, log: () => {} });
  return { agent, socket: await connected };
}

const fixModem = {
  commandId: 'cmd-fix',
  caseId: 'case-7',
  kind: 'remediate',
  action: 'power_cycle_modem',
  params: { offSeconds: 10 },
  idempotencyKey: 'case-7:power_cycle_modem:1',
};

describe('the simulated agent over socket.io', () => {
  it('runs a diagnose command and sends back the sanitized results', async () => {
    const { socket } = await start('dns-failure');
    const answered = nextResult(socket);
    socket.emit('command', {
      commandId: 'cmd-1',
      caseId: 'case-7',
      kind: 'diagnose',
      checks: baselineChecks,
    });
    const { result, ack } = await answered;
    ack({ ok: true });
    const parsed = CommandResult.parse(result);
    expect(parsed).toMatchObject({
      commandId: 'cmd-1',
      kind: 'diagnose',
      ok: true,
      sanitized: true,
    });
    const failing =
      parsed.kind === 'diagnose' && parsed.ok ? parsed.results.filter((r) => !r.ok) : [];
    expect(failing.map((r) => r.check)).toEqual(['dns']);
  });

  it('sends an unacknowledged result again after reconnecting, and runs the action once', async () => {
    const { agent, socket } = await start('modem-hung');
    const first = nextResult(socket);
    socket.emit('command', fixModem);
    const { result: unacked } = await first;
    expect(unacked).toMatchObject({ commandId: 'cmd-fix', ok: true, outcome: { executed: true } });

    // The connection drops before the server acknowledges: the agent reconnects by itself.
    const reconnected = nextConnection();
    socket.conn.close();
    const again = await reconnected;
    const { result: resent, ack } = await nextResult(again);
    ack({ ok: true });
    expect(resent).toEqual(unacked);

    // The API resends a command that was pending: the journal answers without running it.
    const duplicate = nextResult(again);
    again.emit('command', fixModem);
    const { result: repeated, ack: ackRepeat } = await duplicate;
    ackRepeat({ ok: true });
    expect(repeated).toMatchObject({ ok: true, outcome: { executed: false } });
    expect(agent.network.applied.map((a) => a.action)).toEqual(['power_cycle_modem']);
  });

  it('sends a result again when the ack times out on a live connection', async () => {
    const { socket } = await start('healthy', 200);
    const first = nextResult(socket);
    socket.emit('command', {
      commandId: 'cmd-2',
      caseId: 'case-8',
      kind: 'diagnose',
      checks: ['link'],
    });
    const { result } = await first; // never acknowledged
    const { result: resent, ack } = await nextResult(socket);
    ack({ ok: true });
    expect(resent).toEqual(result);
  });

  it('refuses an unknown scenario, naming the valid ones', () => {
    expect(() => startSimulatedAgent({ apiUrl, token, scenario: 'volcano' })).toThrow(
      /Unknown scenario "volcano"\. Valid scenarios: healthy, dns-failure/,
    );
  });
});
