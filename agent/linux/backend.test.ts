import { AgentConfig } from '../config';
import { createExecutor } from '../executor';
import { createJournal } from '../journal';
import { createLinuxBackend } from './backend';

// What the Linux backend reports without the peripherals, and how a check
// past its time limit ends. (The network checks themselves run in test/lab.)

const config = AgentConfig.parse({ timeouts: { checkMs: 200, actionMs: 1000 } });

describe('Linux backend', () => {
  it('reports no LTE modem and no mDNS services when their modules are not attached', async () => {
    const backend = createLinuxBackend(config);
    expect(await backend.runCheck('lte')).toMatchObject({
      check: 'lte',
      ok: false,
      data: { present: false },
    });
    expect(await backend.runCheck('mdns')).toMatchObject({
      check: 'mdns',
      ok: false,
      data: { services: [] },
    });
  });

  it('passes on what the LTE and mDNS providers read', async () => {
    const backend = createLinuxBackend(config, {
      lte: async () => ({ present: true, registered: true, signalDbm: -85, operator: 'Lab' }),
      mdns: async () => ({
        services: [{ name: 'Printer', type: '_ipp._tcp', host: 'printer.local' }],
      }),
    });
    expect(await backend.runCheck('lte')).toMatchObject({ ok: true, data: { signalDbm: -85 } });
    expect(await backend.runCheck('mdns')).toMatchObject({
      ok: true,
      data: { services: [{ name: 'Printer' }] },
    });
  });

  it('a check past its time limit reports that it could not run', async () => {
    const backend = createLinuxBackend(config, { lte: () => new Promise(() => undefined) });
    const executor = createExecutor({ backend, journal: createJournal() });
    const reply = await executor.execute({
      commandId: 'c1',
      caseId: 'case-1',
      kind: 'diagnose',
      checks: ['lte'],
    });
    expect(reply).toMatchObject({
      ok: true,
      results: [{ check: 'lte', ok: false, data: { present: false } }],
    });
    expect((reply as { results: { error?: string }[] }).results[0]!.error).toMatch(
      /timed out after 200 ms/,
    );
  });

  it('refuses a power cycle when no smart plug is configured', async () => {
    const backend = createLinuxBackend(config);
    await expect(backend.apply('power_cycle_modem', { offSeconds: 10 })).rejects.toThrow(
      /No smart plug is configured for the modem/,
    );
  });
});
