import type { Socket } from 'socket.io-client';
import { connectAgent } from '../../agent/connection';
import { createExecutor } from '../../agent/executor';
import { createJournal } from '../../agent/journal';
import { SimulatedNetwork } from '../../agent/simulator/network';
import type { CommandResult, DeviceCommand } from '../../contracts/device';
import { DeviceCommandDoc } from '../../store/models';
import { connectTemporal, type TemporalClient } from '../../temporal-config/client';
import { openDemoCase, waitForStatus } from '../support/cases';
import { temporalAddress, temporalNamespace } from '../support/env';
import { eventually, startTestStack, type TestStack } from '../support/stack';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy';

// The Pi answers while the API cannot reach Temporal, for longer than the
// client's own retries last: the answer is kept and reaches the case once
// Temporal is back, instead of the case waiting out the command's timeout.

describe('a device answer while Temporal is away from the API', () => {
  let proxy: TcpProxy;
  let stack: TestStack;
  let direct: TemporalClient;
  let device: Socket | undefined;

  beforeAll(async () => {
    proxy = await startTcpProxy(temporalAddress());
    // The API talks to Temporal through the proxy; the worker and the test directly.
    stack = await startTestStack('handoff', { apiTemporalAddress: proxy.address });
    direct = await connectTemporal({ address: temporalAddress(), namespace: temporalNamespace() });
  });
  afterAll(async () => {
    device?.disconnect();
    proxy.restore();
    await stack?.stop();
    await direct?.close();
    await proxy?.close();
  });

  it('is stored, then delivered when Temporal is back', async () => {
    const executor = createExecutor({
      backend: new SimulatedNetwork('dns-failure'),
      journal: createJournal(),
    });
    let firstCommand!: (commandId: string) => void;
    const commanded = new Promise<string>((resolve) => (firstCommand = resolve));
    let answerNow!: () => void;
    const mayAnswer = new Promise<void>((resolve) => (answerNow = resolve));
    device = connectAgent({
      apiUrl: stack.apiUrl,
      token: stack.demo.device.token,
      log: () => undefined,
      health: () => ({ summary: 'test device' }),
      onCommand: async (command): Promise<CommandResult> => {
        firstCommand((command as DeviceCommand).commandId);
        await mayAnswer;
        return executor.execute(command);
      },
    });

    const { handle: viaApi } = await openDemoCase(stack);
    const handle = direct.client.workflow.getHandle(viaApi.workflowId);
    const commandId = await commanded;

    proxy.cut();
    answerNow();
    const kept = await eventually(
      async () => {
        const doc = await DeviceCommandDoc.findById(commandId).lean();
        return doc?.status === 'answered' ? doc : undefined;
      },
      { what: 'the answer stored as answered' },
    );
    expect(kept.result).toMatchObject({ commandId, kind: 'diagnose', ok: true });
    // Longer than the API's Temporal client retries (about 20 s) before giving up.
    await new Promise((resolve) => setTimeout(resolve, 25_000));
    expect((await DeviceCommandDoc.findById(commandId).lean())?.status).toBe('answered');

    proxy.restore();
    const waiting = await waitForStatus(handle, 'awaiting_approval', 30_000);
    expect(waiting.results.length).toBeGreaterThan(0);
    // Its arrival is in the case's history; the document keeps the answer as it came.
    expect(await DeviceCommandDoc.findById(commandId).lean()).toMatchObject({
      status: 'answered',
      result: kept.result,
    });
    await handle.terminate('test over');
  }, 120_000);
});
