import { checkNames } from '../../contracts/checks';
import { type CheckName, type CheckResult } from '../../contracts/diagnostics';
import { applyFault } from './faults';
import { loadScenarios } from './scenario';
import { describeLab, failing } from './support';
import { buildLab, internet, type Lab } from './topology';

// The real agent inside the lab's Pi namespace, through every scenario: its
// checks find the faults the scenario made, and the scenario's fix, carried
// out by the agent, really repairs the network.

const everyCheck = checkNames.filter((name) => name !== 'mdns' && name !== 'lte');

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
        const found = await runChecks(lab, checks);
        seen.push(...found);
        expect(found.map((r) => r.check)).toEqual(checks);
        expect(withoutUnsteady(failing(found), scenario.unsteady)).toEqual(
          withoutUnsteady([...scenario.expectedFailing].sort(), scenario.unsteady),
        );
        if (!scenario.fix) return;

        const applied = await lab.agentCli([
          'apply',
          scenario.fix.action,
          JSON.stringify(scenario.fix.params),
        ]);
        expect(applied).toMatchObject({ ok: true, outcome: { executed: true } });
        const repairs = scenario.fix.repairs ?? checks;
        const after = await runChecks(lab, repairs);
        seen.push(...after);
        expect(failing(after)).toEqual([]);
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
