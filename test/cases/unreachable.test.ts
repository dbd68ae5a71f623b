import { loadConfig } from '../../config';
import { Device } from '../../store/models';
import type { SimulatedAgent } from '../../agent/simulatedAgent';
import { startSimulatedAgent } from '../../agent/simulatedAgent';
import { openDemoCase, stateOf, waitForStatus } from '../support/cases';
import { eventually, startTestStack, type TestStack } from '../support/stack';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy';

// A Zen box whose line stops carrying packets sends no FIN: only socket.io's ping
// notices. Its interval and timeout come from the config module, shortened here;
// the defaults (25 s + 20 s) give the same bound in minutes, well inside two.

const socket = loadConfig({
  ...process.env,
  SOCKET_PING_INTERVAL_MS: '400',
  SOCKET_PING_TIMEOUT_MS: '400',
}).socket;
/** The ping's bound, and time for the disconnect to be written and signalled. */
const noticeBoundMs = socket.pingIntervalMs + socket.pingTimeoutMs + 2000;

describe('a Zen box whose line goes silent', () => {
  let stack: TestStack;
  let proxy: TcpProxy;
  let device: SimulatedAgent;

  beforeAll(async () => {
    stack = await startTestStack('unreachable', {
      api: { socket },
      caseSettings: { approvalTimeoutMs: 60_000, approvalGraceMs: 60_000 },
    });
    proxy = await startTcpProxy(new URL(stack.apiUrl).host);
    device = startSimulatedAgent({
      apiUrl: `http://${proxy.address}`,
      token: stack.demo.device.token,
      scenario: 'dns-failure',
      // LTE's heartbeat: none comes while the test runs, so only the transport can tell.
      heartbeatMs: 300_000,
      log: () => undefined,
    });
  });
  afterAll(async () => {
    device?.stop();
    await proxy?.close();
    await stack?.stop();
  });

  const deviceStatus = async () =>
    (await Device.findOne({ deviceId: stack.demo.device.deviceId }).lean())?.status;

  it('is marked offline, and its case hears it, within the ping bound', async () => {
    const { handle } = await openDemoCase(stack);
    await waitForStatus(handle, 'awaiting_approval');
    expect((await stateOf(handle)).deviceOnline).toBe(true);

    const silencedAt = Date.now();
    proxy.silence();
    await eventually(async () => (await deviceStatus()) === 'offline', {
      timeoutMs: noticeBoundMs,
      what: 'the silent device to be marked offline',
    });
    await eventually(async () => !(await stateOf(handle)).deviceOnline, {
      timeoutMs: noticeBoundMs - (Date.now() - silencedAt),
      what: 'the case to hear that its device is offline',
    });
    expect(Date.now() - silencedAt).toBeLessThan(noticeBoundMs);

    // The line carries packets again: the box reconnects and its case hears that too.
    proxy.restore();
    await eventually(async () => (await stateOf(handle)).deviceOnline, {
      what: 'the case to hear that its device is back',
    });
    expect(await deviceStatus()).toBe('online');
    await handle.terminate('test over');
  });
});
