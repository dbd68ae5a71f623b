import { CustomerEventType, urgentEvents } from '../../contracts/notifications';
import {
  durationWords,
  monitorSentence,
  outageSentence,
  segmentTone,
  stateSentence,
  uptimeSegments,
  uptimeWords,
} from '../../portal/app/utils/health';
import { eventLabel, urgentSentence } from '../../portal/app/utils/notifications';

// A box's history and the notification settings in the portal's words: outages as a person
// says them, the uptime bar's segments summed right, and never an internal name.

const UTC = 'UTC';
const at = (hhmm: string, day = '2026-12-06') => `${day}T${hhmm}:00Z`;

describe("the health page's words", () => {
  const now = new Date(at('09:00'));

  it('says an outage with its times and length, and an ongoing one as still going', () => {
    const outage = { id: 'o1', failed: ['internet' as const], start: at('02:14') };
    expect(outageSentence({ ...outage, kind: 'internet', end: at('02:31') }, now, UTC)).toBe(
      'Internet down, 02:14–02:31, 17 min',
    );
    expect(outageSentence({ ...outage, kind: 'offline', end: at('04:20') }, now, UTC)).toBe(
      'Zen box offline, 02:14–04:20, 2 h 6 min',
    );
    expect(outageSentence({ ...outage, kind: 'dns' }, now, UTC)).toBe(
      'Name lookups failing, since 02:14, still going (6 h 46 min so far)',
    );
    // Another day: the day is named.
    expect(
      outageSentence(
        {
          ...outage,
          kind: 'gateway',
          start: at('23:50', '2026-12-04'),
          end: at('00:10', '2026-12-05'),
        },
        now,
        UTC,
      ),
    ).toBe('Router not answering, 4 Dec 23:50–5 Dec 00:10, 20 min');
  });

  it('durations and uptime read as people say them; 100 % only when nothing failed', () => {
    expect(durationWords(30_000)).toBe('1 min');
    expect(durationWords(3 * 86_400_000 + 4 * 3_600_000)).toBe('3 days 4 h');
    expect(uptimeWords(100)).toBe('100 %');
    expect(uptimeWords(57.5)).toBe('57.5 %');
    expect(uptimeWords(99.999)).toBe('99.99 %');
    expect(uptimeWords(undefined)).toBe('no measurements yet');
  });

  it('sums minutes into hourly segments, gaps included, and colours them by failed minutes', () => {
    const point = (time: string, failedMinutes: number) => ({
      at: at(time),
      minutes: 1,
      failedMinutes,
      failed: failedMinutes ? (['internet'] as const).slice() : [],
    });
    const points = [point('01:58', 0), point('02:14', 1), point('02:15', 1), point('03:00', 0)];
    const segments = uptimeSegments(
      points,
      new Date(at('01:30')),
      new Date(at('04:30')),
      3_600_000,
    );
    expect(
      segments.map((s) => [s.start.toISOString().slice(11, 16), s.minutes, s.failedMinutes]),
    ).toEqual([
      ['01:00', 1, 0],
      ['02:00', 2, 2],
      ['03:00', 1, 0],
      ['04:00', 0, 0],
    ]);
    expect(segments.map(segmentTone)).toEqual(['good', 'bad', 'good', 'none']);
    expect(segmentTone({ ...segments[0]!, minutes: 60, failedMinutes: 2 })).toBe('some');
  });

  it('says the state and what the monitor sees, naming targets in words', () => {
    expect(stateSentence({ online: true, cloudPath: 'lte' })).toMatch(
      /^Online, over its own LTE backup/,
    );
    expect(stateSentence({ online: false })).toBe('Offline: the Zen box cannot be reached');
    const fault = monitorSentence(
      {
        online: true,
        monitor: {
          state: 'fault',
          failing: ['gateway', 'dns', 'internet'],
          since: at('02:14'),
          flaps: 3,
        },
      },
      UTC,
    );
    expect(fault).toBe(
      'Not working: the router, name lookups and the internet (since 6 Dec, 02:14). It has failed 3 times in the last hour.',
    );
    expect(fault).not.toMatch(/gateway|dns|internet_|fault/);
  });
});

describe("the notification settings' words", () => {
  it('names every event in words, and the urgent ones in the quiet-hours sentence', () => {
    for (const event of CustomerEventType.options) {
      expect(eventLabel(event)).not.toMatch(/_/);
      expect(eventLabel(event)).not.toBe('Something else');
    }
    expect(urgentSentence(urgentEvents)).toBe(
      'Urgent messages still come through during quiet hours, because someone is waiting on you: a fix waits for approval, a reminder that a fix still waits and a problem was passed to a technician. Everything else waits until quiet hours end.',
    );
  });
});
