import type { CheckResult } from '../contracts/diagnostics';
import type { ManualStep } from './messages';

// What to ask of the customer when the Zen box cannot reach us, chosen from
// what the case knows. Pure and deterministic: the workflow calls it.

/** A modem or router power-cycled by the box's smart plug is back within this. */
export const restartAllowanceMs = 5 * 60_000;

export interface WhatIsKnown {
  /** The latest result of every check the box ran in this case. */
  results: CheckResult[];
  /** A power cycle the box was sent, that no check has yet seen the end of. */
  powerCycle?: { action: 'power_cycle_modem' | 'power_cycle_router'; sentAt: number };
  now: number;
}

const modem = 'the modem (the box your internet provider gave you)';
const router = 'the router (the box your computers and Wi-Fi connect to)';
const boxItself =
  'If the internet works for you but the Zen box stays offline, check that its light is on ' +
  'and that its network cable is clicked in at both ends.';

function restart(what: string): string[] {
  return [
    `Unplug the power cable of ${what}.`,
    'Wait ten seconds, then plug it back in.',
    'Wait two minutes, until its lights stop blinking.',
  ];
}

function failed(results: CheckResult[], check: CheckResult['check']): boolean {
  return results.some((r) => r.check === check && !r.ok);
}

export function chooseManualStep({ results, powerCycle, now }: WhatIsKnown): ManualStep {
  if (powerCycle) {
    const device = powerCycle.action === 'power_cycle_modem' ? 'modem' : 'router';
    const left = powerCycle.sentAt + restartAllowanceMs - now;
    if (left > 0) {
      const minutes = Math.max(1, Math.ceil(left / 60_000));
      return {
        title: `Your Zen box is restarting the ${device}`,
        steps: [
          `Leave the ${device} and the Zen box plugged in.`,
          `Wait about ${minutes} minute${minutes === 1 ? '' : 's'}: the internet and the Zen box should come back by themselves.`,
        ],
        because: `The Zen box switched the ${device} off and on to fix the fault, and goes quiet while it starts up again.`,
        category: device === 'modem' ? 'modem' : 'gateway',
        waitMs: left,
      };
    }
  }
  // The restart did not bring the box back: say so, then the step for what the checks found.
  const restarted = powerCycle
    ? `The Zen box restarted the ${powerCycle.action === 'power_cycle_modem' ? 'modem' : 'router'}, but it has not come back. `
    : '';
  if (failed(results, 'link')) {
    return {
      title: "Check the Zen box's network cable",
      steps: [
        'Make sure the Zen box has power: its light is on.',
        'Check that its network cable is clicked in at both ends: the Zen box and the switch or router.',
        'If the cable goes into a network switch, move it to another free port on that switch.',
        'Wait one minute for the Zen box to reconnect.',
      ],
      because: `${restarted}The Zen box's last checks found no signal on its network cable.`,
      category: 'link',
    };
  }
  // The router stands between the box and the modem: a silent router hides the modem too.
  if (failed(results, 'gateway')) {
    return {
      title: 'Restart your router',
      steps: [...restart(router), boxItself],
      because: `${restarted}The Zen box's last checks could not reach your router.`,
      category: 'gateway',
    };
  }
  if (failed(results, 'modem')) {
    return {
      title: 'Restart your modem',
      steps: [...restart(modem), boxItself],
      because: `${restarted}The Zen box's last checks could not reach your modem.`,
      category: 'modem',
    };
  }
  if (failed(results, 'internet')) {
    return {
      title: 'Restart your modem',
      steps: [
        ...restart(modem),
        'If the internet is still down, your internet provider may have an outage: call them or check their status page.',
        boxItself,
      ],
      because: `${restarted}The Zen box's last checks reached your router but not the internet beyond it.`,
      category: 'isp',
    };
  }
  // Nothing known: the box went quiet with the internet, as it usually does. The
  // modem, then the router, are what bring most offices back.
  return {
    title: 'Restart your modem, then your router',
    steps: [
      ...restart(modem),
      `If the internet is still down, do the same with ${router}: unplug it, wait ten seconds, plug it back in and wait two minutes.`,
      boxItself,
    ],
    because: `${restarted}The Zen box lost its connection to us before it could find the cause. When the internet and the Zen box go down together, the modem or the router is the usual cause.`,
    category: 'unknown',
  };
}

/** The step as one paragraph with numbered steps: for instructions and the phone. */
export function manualStepText(step: ManualStep): string {
  const numbered = step.steps.map((s, i) => `${i + 1}. ${s}`).join(' ');
  return `${step.title}. ${numbered}`;
}
