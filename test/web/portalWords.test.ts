import { checkNames } from '../../contracts/checks';
import {
  caseStatusLabel,
  checkLabel,
  ledLabel,
  plainStep,
  shortTitle,
} from '../../portal/app/utils/words';

// The portal's words for what the workflow and the Zen box report: never an internal id.

describe("the portal's words", () => {
  it.each([...checkNames])('names the check %s in words', (name) => {
    expect(checkLabel(name)).not.toBe(name);
    expect(checkLabel(name)).not.toMatch(/_/);
    expect(checkLabel(name)).not.toBe('Another check');
  });

  it('turns progress lines that name checks by id into words', () => {
    expect(plainStep('Round 1: running link, ip_config, gateway, dns, internet')).toBe(
      'Checking: Network cable and link, Network address of the Zen box, Router, Name lookups (DNS), Internet reachability',
    );
    expect(plainStep('Round 1: 3 of 5 checks failed (gateway, dns, internet)')).toBe(
      '3 of 5 checks found a problem: Router, Name lookups (DNS), Internet reachability',
    );
    expect(plainStep('Round 3: all 7 checks passed')).toBe('All 7 checks passed');
    expect(plainStep('The advisor asks for more checks: dhcp_servers, router_api')).toBe(
      "More checks to run: Address servers on your network, The router's own report",
    );
    expect(plainStep('Waiting on path_mtu and a future_check')).toBe(
      'Waiting on Packet size on the way out and a Another check',
    );
    // Lines already in words pass unchanged.
    expect(plainStep('Fixed and verified: your network works')).toBe(
      'Fixed and verified: your network works',
    );
  });

  it('shortens free text to a title: the first line, cut at a word near 80 characters', () => {
    expect(shortTitle('Websites will not load')).toBe('Websites will not load');
    expect(shortTitle('Printer down\nSince this morning, the front desk…')).toBe('Printer down');
    const long = 'word '.repeat(400).trim();
    const title = shortTitle(long);
    expect(title.length).toBeLessThanOrEqual(81);
    expect(title).toMatch(/^word( word)+…$/);
    expect(shortTitle('x'.repeat(2000))).toBe(`${'x'.repeat(80)}…`);
    expect(shortTitle(undefined)).toBe('');
  });

  it('an offline box shows its light as unknown, and an open case says the box cannot be reached', () => {
    expect(ledLabel('idle', false)).toBe('Unknown: the box is offline');
    expect(ledLabel('idle')).toBe('Green: all is well');
    expect(caseStatusLabel('diagnosing', false)).toBe('Zen box cannot be reached');
    expect(caseStatusLabel('diagnosing', true)).toBe('Checking your network');
    expect(caseStatusLabel('resolved', false)).toBe('Resolved');
  });
});
