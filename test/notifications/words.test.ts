import { NotificationEventType, type NotificationEvent } from '../../contracts/notifications';
import { durationWords, maskRecipient, wordsFor } from '../../notifier/words';

// What people read: plain English, the link and the phone path, no internal names.

const ctx = {
  businessName: 'Bayside Dental',
  place: 'Front office',
  caseUrl: 'https://portal.example/cases/3f0c2b1e-aaaa-4bbb-8ccc-123456789abc',
  supportNumber: '+15550000100',
};

function event(type: NotificationEvent['type'], facts: NotificationEvent['facts'] = {}) {
  return {
    type,
    key: `k:${type}`,
    at: '2026-12-06T10:00:00.000Z',
    customerId: 'c',
    deviceId: 'pi-demo-001',
    caseId: '3f0c2b1e-aaaa-4bbb-8ccc-123456789abc',
    facts,
  } satisfies NotificationEvent;
}

const internal = /pi-demo|_|temporal|mongo|workflow|ip_config|undefined|null/i;

describe('the words of a notification', () => {
  it('a fix waiting: what, the link, and the phone path', () => {
    const w = wordsFor(
      event('approval_waiting', {
        fixTitle: 'Restart the router',
        downtime: '3 minutes',
        risk: 'medium',
        diagnosis: 'The router stopped answering.',
      }),
      ctx,
    );
    expect(w.subject).toBe('A fix for your network is waiting for your approval');
    expect(w.text).toContain(
      '"Restart the router" is ready for the Zen box in Front office at Bayside Dental',
    );
    expect(w.text).toContain(ctx.caseUrl);
    expect(w.text).toContain('call +15550000100 and press 1');
    expect(w.short).toContain(ctx.caseUrl);
    expect(w.short).toContain('press 1');
  });

  it('the reminder says it is one', () => {
    const w = wordsFor(event('approval_reminder', { fixTitle: 'Restart the router' }), ctx);
    expect(w.subject).toMatch(/^Reminder/);
    expect(w.short).toMatch(/reminder/);
  });

  it('resolved: what was done and how long it took', () => {
    const w = wordsFor(
      event('case_resolved', { whatWasDone: 'Restart the router', durationMinutes: 74 }),
      ctx,
    );
    expect(w.subject).toBe('Your network problem is fixed');
    expect(w.text).toContain('What we did: Restart the router.');
    expect(w.text).toContain('It took 1 hour 14 minutes.');
  });

  it('resolved with nothing found: never says it was fixed', () => {
    const w = wordsFor(
      event('case_resolved', {
        fixed: false,
        diagnosis: 'Every check passed.',
        durationMinutes: 2,
      }),
      ctx,
    );
    expect(w.subject).toBe('We checked your network: nothing needed fixing');
    expect(`${w.subject} ${w.text} ${w.short}`).not.toMatch(/fixed and|is fixed|What we did/);
    expect(w.text).toContain('Every check passed.');
  });

  it('box offline, internet down and back: plain words for the targets', () => {
    expect(wordsFor(event('box_offline', { minutesOffline: 12 }), ctx).short).toBe(
      'Zen & Zen: the Zen box in Front office has been offline for 12 minutes. Check its power and cable.',
    );
    const down = wordsFor(event('internet_down', { failing: ['dns', 'internet'] }), ctx);
    expect(down.text).toContain('Not working: looking up websites (DNS) and the internet.');
    const back = wordsFor(event('internet_recovered', { since: '2026-12-06T09:15:00.000Z' }), ctx);
    expect(back.text).toContain('It was down for 45 minutes.');
  });

  it('a closed case asks the customer once how we did: five links, in text and HTML', () => {
    const links = [1, 2, 3, 4, 5].map((n) => `https://portal.example/rate/tok?score=${n}`);
    for (const type of ['case_resolved', 'case_not_fixable_remotely'] as const) {
      const w = wordsFor(event(type, { askRating: true }), { ...ctx, ratingLinks: links });
      const ask = w.text.slice(w.text.indexOf('How did we do?'));
      expect(ask.split('\n')).toEqual([
        'How did we do? Choose a score from 1 (poor) to 5 (excellent):',
        ...links.map(
          (url, i) => `${i + 1} (${['poor', 'fair', 'good', 'very good', 'excellent'][i]}): ${url}`,
        ),
      ]);
      // The links come last, after what happened.
      expect(w.text.indexOf(ctx.caseUrl)).toBeLessThan(w.text.indexOf('How did we do?'));
      for (const url of links) expect(w.html).toContain(`<a href="${url}">`);
      expect(w.short).not.toContain('rate/');
    }
  });

  it('asks no rating without askRating, nor without links (operators’ copies)', () => {
    const links = [1, 2, 3, 4, 5].map((n) => `https://portal.example/rate/tok?score=${n}`);
    const cancelledLike = wordsFor(event('case_resolved'), { ...ctx, ratingLinks: links });
    expect(cancelledLike.text).not.toContain('How did we do?');
    expect(cancelledLike.html).toBeUndefined();
    const staff = wordsFor(event('case_resolved', { askRating: true }), ctx);
    expect(staff.text).not.toContain('How did we do?');
  });

  it('escapes the HTML part', () => {
    const links = [1, 2, 3, 4, 5].map((n) => `https://portal.example/rate/t?a=1&score=${n}`);
    const w = wordsFor(
      event('case_not_fixable_remotely', { askRating: true, message: '<b>ISP</b> & co' }),
      { ...ctx, ratingLinks: links },
    );
    expect(w.html).toContain('&lt;b&gt;ISP&lt;/b&gt; &amp; co');
    expect(w.html).toContain('href="https://portal.example/rate/t?a=1&amp;score=1"');
    expect(w.html).not.toContain('<b>');
  });

  it('never shows internal names, ids or empty facts, for any event', () => {
    for (const type of NotificationEventType.options) {
      const w = wordsFor(event(type), { supportNumber: '+15550000100' });
      for (const text of [w.subject, w.text, w.short]) expect(text).not.toMatch(internal);
    }
  });

  it('durations and masked recipients', () => {
    expect(durationWords(0.2)).toBe('less than a minute');
    expect(durationWords(1)).toBe('1 minute');
    expect(durationWords(120)).toBe('2 hours');
    expect(maskRecipient('desk@bayside.example')).toBe('d***@bayside.example');
    expect(maskRecipient('+15551234567')).toBe('+1******67');
  });
});
