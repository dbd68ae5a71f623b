import { checkNames } from '../../contracts/checks';
import { type CheckName, type CheckResult } from '../../contracts/diagnostics';
import { applyFault } from './faults';
import { resultsOf, writeRecording, type LabRecording } from './recorded';
import { loadScenarios } from './scenario';
import { describeLab, failing } from './support';
import { buildLab, internet, type Lab } from './topology';

// The real agent inside the lab's Pi namespace, through every scenario: its
// checks find the faults the scenario made, and the scenario's fix, carried
// out by the agent, really repairs the network. With RECORD_LAB_FIXTURES=1
// (`npm run record-lab`) it also runs every check and asks the office PC, during
// the fault and after the fix, and keeps that as the scenario's recording
// (recorded.ts), which `npm run eval` scores the advisor on.

/** mDNS and LTE come from the box's peripherals, which the agent's command line does not start. */
const everyCheck = checkNames.filter((name) => name !== 'mdns' && name !== 'lte');
const recording = process.env.RECORD_LAB_FIXTURES === '1';

/** Every check and the office PC, as they are now. */
async function measureAll(lab: Lab) {
  const results = await runChecks(lab, everyCheck);
  await lab.restartOfficePc();
  return { results, officePc: await lab.officePc() };
}

async function runChecks(lab: Lab, checks: CheckName[]): Promise<CheckResult[]> {
  const reply = await lab.agentCli(['check', ...checks]);
  if (!reply.ok) throw new Error(`The agent refused the checks: ${JSON.stringify(reply)}`);
  return reply.results as CheckResult[];
}

function withoutUnsteady(names: string[], unsteady: string[]) {
  return names.filter((name) => !unsteady.includes(name));
}

async function routeTo(lab: Lab, address: string): Promise<string> {
  const [route] = JSON.parse(await lab.in('pi', 'ip', ['-j', 'route', 'get', address]));
  return route.dev;
}

describeLab('the real agent in the network lab', () => {
  it('fails over to LTE during an ISP outage and back to the wired line after it', async () => {
    const lab = await buildLab();
    try {
      await applyFault(lab, { kind: 'isp-outage' });
      const target = internet.targets[0]!;
      expect(await routeTo(lab, target)).toBe('eth0');

      const over = await lab.agentCli(['apply', 'failover_lte', '{}']);
      expect(over).toMatchObject({ ok: true, outcome: { executed: true } });
      expect(await routeTo(lab, target)).toBe('wwan0');
      expect(failing(await runChecks(lab, ['internet']))).toEqual([]);
      // The speed tests never spend LTE data: on LTE they measure nothing and say why.
      const lteBytes = async () => {
        const [link] = JSON.parse(await lab.in('pi', 'ip', ['-j', '-s', 'link', 'show', 'wwan0']));
        return link.stats64.rx.bytes + link.stats64.tx.bytes;
      };
      const before = await lteBytes();
      for (const speed of await runChecks(lab, ['throughput', 'latency_under_load'])) {
        expect(speed).toMatchObject({
          ok: false,
          data: { skipped: 'cloud-link-on-lte', interface: 'wwan0' },
          error: expect.stringMatching(/^skipped: /),
        });
      }
      expect((await lteBytes()) - before).toBeLessThan(2000);

      const back = await lab.agentCli(['apply', 'failback_wan', '{}']);
      expect(back).toMatchObject({ ok: true, outcome: { executed: true } });
      expect(await routeTo(lab, target)).toBe('eth0');
      // The outage is still there: the wired line is measured again.
      expect(failing(await runChecks(lab, ['internet']))).toEqual(['internet']);
    } finally {
      await lab.destroy();
    }
  }, 120_000);

  for (const { name, scenario } of loadScenarios()) {
    const checks = scenario.checks ?? everyCheck;

    it(`${name}: finds ${scenario.expectedFailing.join(', ') || 'nothing wrong'}${
      scenario.fix ? `, and ${scenario.fix.action} repairs it` : ''
    }`, async () => {
      const lab = await buildLab(scenario.topology);
      const seen: CheckResult[] = [];
      try {
        for (const fault of scenario.faults) await applyFault(lab, fault);
        let record: LabRecording | undefined;
        if (recording) {
          const fault = await measureAll(lab);
          record = { scenario: name, recordedAt: new Date().toISOString(), fault };
        }
        const found = record ? resultsOf(record.fault, checks) : await runChecks(lab, checks);
        seen.push(...found);
        expect(found.map((r) => r.check)).toEqual(checks);
        expect(withoutUnsteady(failing(found), scenario.unsteady)).toEqual(
          withoutUnsteady([...scenario.expectedFailing].sort(), scenario.unsteady),
        );
        if (!scenario.fix) {
          if (record) writeRecording(record);
          return;
        }

        const applied = await lab.agentCli([
          'apply',
          scenario.fix.action,
          JSON.stringify(scenario.fix.params),
        ]);
        expect(applied).toMatchObject({ ok: true, outcome: { executed: true } });
        const repairs = scenario.fix.repairs ?? checks;
        let fixed: LabRecording['fixed'];
        if (record) fixed = { action: scenario.fix.action, ...(await measureAll(lab)) };
        const after = fixed ? resultsOf(fixed, repairs) : await runChecks(lab, repairs);
        seen.push(...after);
        expect(failing(after)).toEqual([]);
        if (record) writeRecording({ ...record, fixed });
      } catch (err) {
        // What the agent saw and what the lab's processes said explain a failure.
        const results = seen.map((r) => JSON.stringify(r)).join('\n');
        throw new Error(
          `${(err as Error).message}\n\nResults:\n${results}\n\nLab processes:\n${lab.logs()}`,
        );
      } finally {
        await lab.destroy();
      }
    }, 240_000);
  }
});
