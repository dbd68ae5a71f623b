import { applyFault } from './faults';
import { aboutTheLongTail, runChecks, testScenarios } from './scenarioChecks';
import { describeLab, failing } from './support';
import { internet } from './addresses';
import { buildLab, type Lab } from './topology';

// The real agent in the lab: its LTE failover, and the scenarios of the basic
// faults (scenarioChecks.ts; the long tail's are in longTail.test.ts).

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

  testScenarios((scenario) => !aboutTheLongTail(scenario));
});
