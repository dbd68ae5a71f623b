import {
  durationWords,
  percentWords,
  periodOf,
  quantileWords,
  scoreWords,
} from '../../portal/app/utils/kpi';

// The KPI page's period picker and its words for figures (portal/app/utils/kpi.ts).

describe("the KPI page's periods and words", () => {
  const now = new Date('2026-12-06T10:48:00.000Z');

  it('turns each choice into [from, to)', () => {
    expect(periodOf({ kind: 'last', days: 7 }, now)).toEqual({
      from: '2026-11-29T10:48:00.000Z',
      to: '2026-12-06T10:48:00.000Z',
    });
    // A month is whole UTC days, its last one included; February of a leap year has 29.
    expect(periodOf({ kind: 'month', month: '2028-02' }, now)).toEqual({
      from: '2028-02-01T00:00:00.000Z',
      to: '2028-03-01T00:00:00.000Z',
    });
    expect(periodOf({ kind: 'month', month: '2026-12' }, now)).toEqual({
      from: '2026-12-01T00:00:00.000Z',
      to: '2027-01-01T00:00:00.000Z',
    });
    expect(periodOf({ kind: 'custom', from: '2026-11-03', to: '2026-11-03' }, now)).toEqual({
      from: '2026-11-03T00:00:00.000Z',
      to: '2026-11-04T00:00:00.000Z',
    });
  });

  it('says what is missing instead of asking for a period that is none', () => {
    expect(periodOf({ kind: 'custom', from: '', to: '' }, now)).toBe(
      'Choose the first and the last day.',
    );
    expect(periodOf({ kind: 'custom', from: '2026-11-05', to: '2026-11-03' }, now)).toBe(
      'The last day must not be before the first.',
    );
    expect(periodOf({ kind: 'month', month: '' }, now)).toBe('Choose a month.');
  });

  it('says figures as a person reads them', () => {
    expect(durationWords(42)).toBe('42 s');
    expect(durationWords(1200)).toBe('20 min');
    expect(durationWords(7200)).toBe('2 h');
    expect(durationWords(4 * 86_400)).toBe('4 days');
    expect(durationWords(undefined)).toBe('no data');
    expect(percentWords(4 / 7)).toBe('57.1 %');
    expect(percentWords(undefined)).toBe('no data');
    expect(quantileWords({ count: 3, p50: 600, p90: 3600 })).toBe(
      '10 min typical, 60 min at most for 9 in 10',
    );
    expect(scoreWords(4.25)).toBe('4.3 of 5');
    expect(scoreWords(undefined)).toBe('no answers');
  });
});
