import type { CheckResult } from '../../contracts/diagnostics';
import { chooseManualStep, manualStepText, restartAllowanceMs } from '../../workflows/manualStep';

// What an unreachable Zen box's case asks of the customer, from what the case knows.

const now = Date.UTC(2026, 11, 5, 9, 0);
const passed = (check: CheckResult['check']) => ({ check, ok: true }) as CheckResult;
const failed = (check: CheckResult['check']) => ({ check, ok: false }) as CheckResult;
const wired = [passed('link'), passed('ip_config'), passed('gateway'), passed('dns')];

describe('chooseManualStep', () => {
  it('nothing known (the box went quiet before any check): the modem, then the router, with the times', () => {
    const step = chooseManualStep({ results: [], now });
    expect(step.title).toBe('Restart your modem, then your router');
    expect(step.category).toBe('unknown');
    expect(step.waitMs).toBeUndefined();
    const text = step.steps.join(' ');
    expect(text.indexOf('modem')).toBeLessThan(text.indexOf('router'));
    expect(text).toMatch(/ten seconds/);
    expect(text).toMatch(/two minutes/);
    // The box may have gone while the internet still works: its own cable and power.
    expect(step.steps.at(-1)).toMatch(/internet works for you.*network cable/);
  });

  it('the modem’s management address was silent: unplug the modem for ten seconds, wait two minutes', () => {
    const step = chooseManualStep({
      results: [...wired, failed('modem'), failed('internet')],
      now,
    });
    expect(step).toMatchObject({ title: 'Restart your modem', category: 'modem' });
    expect(step.steps.slice(0, 3)).toEqual([
      'Unplug the power cable of the modem (the box your internet provider gave you).',
      'Wait ten seconds, then plug it back in.',
      'Wait two minutes, until its lights stop blinking.',
    ]);
    expect(step.because).toMatch(/could not reach your modem/);
  });

  it('the gateway failed: the router (it hides the modem behind it)', () => {
    const step = chooseManualStep({
      results: [passed('link'), failed('gateway'), failed('modem'), failed('internet')],
      now,
    });
    expect(step).toMatchObject({ title: 'Restart your router', category: 'gateway' });
    expect(step.steps[0]).toMatch(/router \(the box your computers and Wi-Fi connect to\)/);
  });

  it('the box’s own link was down: its network cable and switch port', () => {
    const step = chooseManualStep({ results: [failed('link'), failed('gateway')], now });
    expect(step).toMatchObject({ title: "Check the Zen box's network cable", category: 'link' });
    expect(step.steps.join(' ')).toMatch(/another free port on that switch/);
  });

  it('the internet failed beyond a working router: the modem, then the provider', () => {
    const step = chooseManualStep({ results: [...wired, failed('internet')], now });
    expect(step).toMatchObject({ title: 'Restart your modem', category: 'isp' });
    expect(step.steps.join(' ')).toMatch(/internet provider may have an outage/);
  });

  it('right after a power cycle was sent: wait for the restart, no manual step yet', () => {
    const step = chooseManualStep({
      results: [...wired, failed('modem')],
      powerCycle: { action: 'power_cycle_modem', sentAt: now - 60_000 },
      now,
    });
    expect(step.title).toBe('Your Zen box is restarting the modem');
    expect(step.waitMs).toBe(restartAllowanceMs - 60_000);
    expect(step.steps.join(' ')).toMatch(/Wait about 4 minutes/);
    expect(step.steps.join(' ')).not.toMatch(/Unplug/);
  });

  it('the restart window passed: the manual step, saying the restart did not help', () => {
    const step = chooseManualStep({
      results: [...wired, failed('gateway')],
      powerCycle: { action: 'power_cycle_router', sentAt: now - restartAllowanceMs },
      now,
    });
    expect(step).toMatchObject({ title: 'Restart your router', category: 'gateway' });
    expect(step.because).toMatch(/^The Zen box restarted the router, but it has not come back\./);
  });

  it('speaks no internal names', () => {
    const all = [
      chooseManualStep({ results: [], now }),
      chooseManualStep({ results: [failed('link')], now }),
      chooseManualStep({ results: [failed('gateway')], now }),
      chooseManualStep({ results: [failed('modem')], now }),
      chooseManualStep({ results: [failed('internet')], now }),
      chooseManualStep({
        results: [],
        powerCycle: { action: 'power_cycle_router', sentAt: now },
        now,
      }),
    ];
    for (const { title, steps, because } of all) {
      expect([title, ...steps, because].join(' ')).not.toMatch(
        /gateway|power_cycle|management|ARP|DHCP|socket|heartbeat/i,
      );
    }
  });

  it('numbers the steps in one paragraph for instructions and the phone', () => {
    const text = manualStepText(chooseManualStep({ results: [failed('modem')], now }));
    expect(text).toMatch(/^Restart your modem\. 1\. Unplug .* 2\. Wait ten seconds.* 3\. /);
  });
});
