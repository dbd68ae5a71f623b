import { CommandResult } from '../contracts/device';
import { CheckResult, type CheckName } from '../contracts/diagnostics';
import { createExecutor, type Backend } from './executor';
import { createJournal } from './journal';
import { SimulatedNetwork } from './simulator/network';

function spyBackend(network = new SimulatedNetwork('healthy')) {
  const backend = {
    runCheck: jest.fn((name: CheckName) => network.runCheck(name)),
    apply: jest.fn((action: Parameters<Backend['apply']>[0], params: Record<string, unknown>) =>
      network.apply(action, params),
    ),
  };
  return { backend, executor: createExecutor({ backend, journal: createJournal() }) };
}

const remediate = (overrides: Record<string, unknown> = {}) => ({
  commandId: 'cmd-2',
  caseId: 'case-1',
  kind: 'remediate',
  action: 'power_cycle_modem',
  params: { offSeconds: 10 },
  idempotencyKey: 'case-1:fix-1',
  ...overrides,
});

describe('executor', () => {
  it('runs the requested checks and returns sanitized results', async () => {
    const { executor } = spyBackend();
    const result = CommandResult.parse(
      await executor.execute({
        commandId: 'cmd-1',
        caseId: 'case-1',
        kind: 'diagnose',
        checks: ['link', 'dns'],
      }),
    );
    expect(result).toMatchObject({
      commandId: 'cmd-1',
      kind: 'diagnose',
      ok: true,
      sanitized: true,
    });
    expect(result.kind === 'diagnose' && result.ok && result.results.map((r) => r.check)).toEqual([
      'link',
      'dns',
    ]);
  });

  it('turns a check that throws into a failed result with its error', async () => {
    const backend: Backend = {
      runCheck: () => {
        throw new Error('ethtool: not found');
      },
      apply: () => 'never',
    };
    const executor = createExecutor({ backend, journal: createJournal() });
    const result = CommandResult.parse(
      await executor.execute({ commandId: 'c', caseId: 'k', kind: 'diagnose', checks: ['link'] }),
    );
    expect(result.kind === 'diagnose' && result.ok && result.results[0]).toMatchObject({
      check: 'link',
      ok: false,
      error: expect.stringContaining('ethtool: not found'),
    });
  });

  it('turns a check result outside the contract into a failed result', async () => {
    const backend: Backend = {
      runCheck: () => ({ check: 'link', ok: true, durationMs: -1 }) as unknown as CheckResult,
      apply: () => 'never',
    };
    const executor = createExecutor({ backend, journal: createJournal() });
    const result = await executor.execute({
      commandId: 'c',
      caseId: 'k',
      kind: 'diagnose',
      checks: ['link'],
    });
    expect(result.kind === 'diagnose' && result.ok && result.results[0]?.ok).toBe(false);
  });

  it('carries out a catalog action once per idempotency key', async () => {
    const { backend, executor } = spyBackend(new SimulatedNetwork('modem-hung'));
    const first = await executor.execute(remediate());
    const again = await executor.execute(remediate({ commandId: 'cmd-3' }));
    expect(first).toMatchObject({ ok: true, outcome: { executed: true } });
    expect(again).toMatchObject({ commandId: 'cmd-3', ok: true, outcome: { executed: false } });
    expect(again.ok && again.kind === 'remediate' && again.outcome.message).toBe(
      first.ok && first.kind === 'remediate' && first.outcome.message,
    );
    expect(backend.apply).toHaveBeenCalledTimes(1);
  });

  it('reports a failed action as a failure', async () => {
    const { backend, executor } = spyBackend();
    const result = await executor.execute(
      remediate({ action: 'renew_dhcp_lease', params: { interface: 'wlan0' } }),
    );
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining('wlan0') });
    expect(backend.apply).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['an action off the catalog', remediate({ action: 'run_shell', params: { cmd: 'rm -rf /' } })],
    ['bad params', remediate({ params: { offSeconds: 3600 } })],
    ['extra params', remediate({ params: { offSeconds: 10, host: '203.0.113.9' } })],
    ['no idempotency key', remediate({ idempotencyKey: undefined })],
    ['an unknown kind', { commandId: 'cmd-9', caseId: 'case-1', kind: 'shell', cmd: 'reboot' }],
    ['an unknown check', { commandId: 'cmd-9', caseId: 'c', kind: 'diagnose', checks: ['nmap'] }],
    ['not an object', 'power_cycle_router'],
    ['nothing', null],
  ])('refuses %s without reaching the backend', async (_label, command) => {
    const { backend, executor } = spyBackend();
    const result = CommandResult.parse(await executor.execute(command));
    expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/^Refused/) });
    expect(backend.apply).not.toHaveBeenCalled();
    expect(backend.runCheck).not.toHaveBeenCalled();
  });
});
