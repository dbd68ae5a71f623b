import { caseStatuses, IssueCategory } from '../../contracts/case';
import { actionIds } from '../../contracts/remediation';
import { prompts } from '../../api/voice/prompts';
import { codeAbout } from '../../api/voice/words';
import { expectPlainWords } from './plainWords';

// What a caller hears: a step on site or while the box is away, a fix to approve,
// wrong codes, and the case's progress, all in plain words.

const step = {
  title: 'Unplug the second router',
  steps: ['Find the second router.', 'Unplug its network cable.'],
  because: 'Two devices hand out addresses.',
  category: 'dhcp' as const,
};

it('a step while the box is away tells the caller the box will be back', () => {
  const said = prompts.manualStep(step);
  expect(said).toMatch(/^Your Zen box cannot reach us right now\. Unplug the second router\./);
  expect(said).toContain('Step 1: Find the second router. Step 2: Unplug its network cable.');
});

it('a step on site tells the caller how to say it is done', () => {
  const said = prompts.manualStep({ ...step, awaitsWord: true });
  expect(said).toMatch(/^You can fix this yourself\. Unplug the second router\./);
  expect(said).toContain('Step 2: Unplug its network cable.');
  expect(said).toContain('"I have done this"');
  expect(said).not.toContain('cannot reach us');
});

describe('approval words', () => {
  const fix = {
    action: 'power_cycle_modem' as const,
    risk: 'medium',
    estimatedDuration: '3 minutes',
  };

  it('before the code is asked, the caller hears what is wrong, the fix, its risk and its downtime', () => {
    const said = prompts.askCode('modem', fix);
    expect(said).toContain('Your modem is not passing traffic to the internet.');
    expect(said).toContain('The fix: Your Zen box turns your modem off and on again');
    expect(said).toContain('The risk is medium');
    expect(said).toContain('Your internet will be down for about 3 minutes');
    expect(said.indexOf('risk')).toBeLessThan(said.indexOf('six digit code'));
    expectPlainWords([said]);
  });

  it('the keypad question names the fix and its downtime', () => {
    expect(prompts.askDecision(fix)).toBe(
      'Press 1 to approve: Restart your modem (about 3 minutes without internet). Press 2 to decline.',
    );
  });

  it('the code e-mail says what the code approves, and where', () => {
    expect(codeAbout(fix, 'Back office')).toBe(
      'Restart your modem (about 3 minutes without internet) for the case at Back office',
    );
  });

  it('every fix and every problem has plain words', () => {
    for (const action of actionIds) {
      const said = prompts.askCode('unknown', { action });
      expect(said).toMatch(/The risk is (low|medium|high)/);
      expectPlainWords([said, prompts.askDecision({ action }), codeAbout({ action }, 'Shop')]);
    }
    for (const category of IssueCategory.options) {
      expectPlainWords([prompts.askCode(category, fix)]);
    }
  });
});

describe('wrong codes and too many codes', () => {
  it('counts tries in good English', () => {
    expect(prompts.wrongCode(1)).toContain('You have 1 try left.');
    expect(prompts.wrongCode(2)).toContain('You have 2 tries left.');
    expect(prompts.wrongCode(4)).toContain('You have 4 tries left.');
  });

  it('says the real wait for another code, and no time when it is not known', () => {
    expect(prompts.tooManyCodes(4 * 60_000 + 10_000)).toContain('another for about 5 minutes');
    expect(prompts.tooManyCodes(30_000)).toContain('another for about 1 minute.');
    expect(prompts.tooManyCodes()).toContain('another for now');
    expect(prompts.tooManyCodes()).not.toMatch(/\d+ minutes?/);
  });

  it('a dead code names no lockout at all', () => {
    expect(prompts.codeDead).not.toMatch(/locked|minute/);
  });
});

describe('progress words come from the case status, never from its step text', () => {
  it('each open status has a plain sentence', () => {
    const spoken = caseStatuses.map((s) => prompts.status(s, undefined)).filter(Boolean);
    expect(spoken.length).toBeGreaterThan(4);
    expectPlainWords(spoken as string[]);
    expect(prompts.status('diagnosing', 'verifying')).toContain('checking your network again');
  });

  it('a closed case is read from its status and what was done', () => {
    const base = { actionsTaken: [] as string[], stepRead: false };
    expect(
      prompts.closed({ ...base, status: 'resolved', actionsTaken: ['power_cycle_router'] }),
    ).toMatch(/^Your case is resolved: the fix worked/);
    expect(prompts.closed({ ...base, status: 'resolved', stepRead: true })).toMatch(
      /^Your case is resolved: your step fixed it/,
    );
    const internal = prompts.closed({
      ...base,
      status: 'escalated',
      instructions:
        'Round 2: running ip_config, dns failed; see workflow 1b4e28ba-2fa1-11d2-883f-0016d3cca427',
    });
    expect(internal).toContain('A technician will contact you.');
    expectPlainWords([internal]);
    expect(
      prompts.closed({
        ...base,
        status: 'escalated',
        instructions: 'Please call your internet provider',
      }),
    ).toContain('Please call your internet provider.');
  });

  it('the words check itself catches internal words', () => {
    expect(() =>
      expectPlainWords(['Update: Round 1: running link, ip_config, gateway, dns.']),
    ).toThrow();
    expect(() => expectPlainWords(['We will power_cycle_router now'])).toThrow();
  });
});

it('the keypad menu reads every place with its digit', () => {
  expect(prompts.chooseBox(['Front shop', 'Back office'])).toBe(
    'You have Zen boxes at 2 places. Which one is this call about? For Front shop, press 1. For Back office, press 2.',
  );
});
