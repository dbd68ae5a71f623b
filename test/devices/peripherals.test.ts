import { AgentConfig } from '../../agent/config';
import { connectAgent } from '../../agent/connection';
import { createLinuxBackend } from '../../agent/linux/backend';
import { startPeripherals } from '../../agent/peripherals/attach';
import { Device } from '../../store/models';
import { scriptedModem, serialDevice } from '../support/serialDevice';
import { eventually, startTestStack, type TestStack } from '../support/stack';

// The real agent's peripherals as main.ts wires them: the LTE modem behind the
// lte check and in the heartbeat, which the API keeps for the portal.

describe('peripherals in the real agent', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('peripherals', { worker: false });
  });
  afterAll(() => stack.stop());

  it('reports the LTE signal and LED state in the heartbeat, and runs the lte check', async () => {
    const modem = scriptedModem({
      AT: [],
      'AT+CSQ': ['+CSQ: 18,99'],
      'AT+CEREG?': ['+CEREG: 0,5'],
      'AT+CREG?': ['+CREG: 0,5'],
      'AT+COPS?': ['+COPS: 0,0,"Example Mobile",7'],
    });
    const controller = serialDevice(() => 'OK\n');
    const config = AgentConfig.parse({
      serialPorts: { led: controller.path, lteModem: modem.path },
    });
    const peripherals = startPeripherals(config, {
      log: () => undefined,
      bindings: { led: controller.binding, lte: modem.binding },
    });
    const socket = connectAgent({
      apiUrl: stack.apiUrl,
      token: stack.demo.device.token,
      heartbeatMs: 200,
      log: () => undefined,
      health: () => ({ ...peripherals.heartbeat(), uptimeSeconds: 1, summary: 'ok' }),
      onEvent: (event) => peripherals.light.handle(event),
    });
    try {
      const health = await eventually(
        async () => {
          const device = await Device.findOne({ deviceId: stack.demo.device.deviceId }).lean();
          return device?.health?.lte ? device.health : undefined;
        },
        { what: 'a heartbeat with the LTE signal' },
      );
      expect(health).toMatchObject({ led: 'idle', lte: { signalDbm: -77, registered: true } });
      expect(controller.received).toEqual(['LED offline #606060', 'LED idle #00b050']);

      const check = await createLinuxBackend(config, peripherals.providers).runCheck('lte');
      expect(check).toMatchObject({
        check: 'lte',
        ok: true,
        data: { present: true, registered: true, signalDbm: -77, operator: 'Example Mobile' },
      });
    } finally {
      socket.disconnect();
      await peripherals.stop();
    }
  });
});
