import type {
  DeliveryChannel,
  NotificationEvent,
  NotificationSettings,
} from '../../contracts/notifications';
import { loadConfig } from '../../config';
import {
  pagesOperators,
  planDeliveries,
  quietHoursEnd,
  type OperatorSetup,
} from '../../notifier/plan';

// Who hears of an event, on which channel, and when: the plan alone, no servers.

const allChannels = new Set<DeliveryChannel>(['email', 'sms', 'phone', 'slack', 'pagerduty']);
const operators: OperatorSetup = {
  routing: loadConfig({}).notifier.operatorRouting,
  email: 'oncall@zen.example',
  available: allChannels,
};

function event(type: NotificationEvent['type'], extra: Partial<NotificationEvent> = {}) {
  return {
    type,
    key: `case-1:${type}`,
    at: '2026-12-06T10:00:00.000Z',
    customerId: 'cust-1',
    deviceId: 'pi-1',
    caseId: 'case-1',
    facts: {},
    ...extra,
  } satisfies NotificationEvent;
}

const settings: NotificationSettings = {
  contacts: [
    {
      name: 'Front desk',
      email: 'desk@bayside.example',
      phone: '+15551234567',
      channels: ['email', 'sms', 'phone'],
      events: ['approval_waiting', 'case_resolved', 'box_offline'],
    },
    {
      name: 'Owner',
      email: 'owner@bayside.example',
      channels: ['email', 'sms'],
      events: ['case_resolved', 'case_escalated'],
    },
  ],
};
const noon = new Date('2026-12-06T12:00:00Z');

describe('who hears of an event', () => {
  it('tells each contact who chose the event, on their channels with an address', () => {
    const plan = planDeliveries(event('case_resolved'), settings, operators, [], noon);
    const customer = plan.now.filter((d) => d.audience === 'customer');
    expect(customer.map((d) => [d.channel, d.to])).toEqual([
      ['email', 'desk@bayside.example'],
      ['sms', '+15551234567'],
      // The owner has SMS but no phone number: only email.
      ['email', 'owner@bayside.example'],
    ]);
    // The phone rings only for a decision to make.
    expect(customer.some((d) => d.channel === 'phone')).toBe(false);
  });

  it('rings the phone for a fix that waits, and leaves out contacts who did not choose it', () => {
    const plan = planDeliveries(event('approval_waiting'), settings, operators, [], noon);
    expect(plan.now.map((d) => `${d.channel}:${d.to}`)).toEqual([
      'email:desk@bayside.example',
      'sms:+15551234567',
      'phone:+15551234567',
    ]);
  });

  it('gives each delivery its own key from the event, channel and recipient', () => {
    const plan = planDeliveries(event('case_resolved'), settings, operators, [], noon);
    const keys = plan.now.map((d) => d.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys[0]).toMatch(/^case-1:case_resolved\|email\|[0-9a-f]{16}$/);
    // Keys are ids the audit trail shows: no address in them, and the same every time.
    expect(keys.join()).not.toMatch(/desk@|5551234567/);
    expect(planDeliveries(event('case_resolved'), settings, operators, [], noon).now[0]!.key).toBe(
      keys[0],
    );
  });

  it('leaves out channels with no service behind them', () => {
    const emailOnly = { ...operators, available: new Set<DeliveryChannel>(['email']) };
    const plan = planDeliveries(event('case_escalated'), settings, emailOnly, [], noon);
    expect(plan.now.map((d) => `${d.audience}:${d.channel}`)).toEqual([
      'customer:email',
      'operators:email',
    ]);
  });

  it('routes operators per event type: an escalation pages, email and Slack too', () => {
    const plan = planDeliveries(event('case_escalated'), settings, operators, [], noon);
    const staff = plan.now.filter((d) => d.audience === 'operators');
    expect(staff.map((d) => d.channel)).toEqual(['email', 'slack', 'pagerduty']);
    expect(staff[2]!.pagerDuty).toEqual({ action: 'trigger', dedupKey: 'zen-case-case-1' });
  });

  it('needs the open incidents exactly when it may page: PagerDuty set up and routed the event', () => {
    const noPager = { ...operators, available: new Set<DeliveryChannel>(['email', 'slack']) };
    const cases = (['case_escalated', 'case_resolved'] as const).flatMap((type) =>
      [operators, noPager].map((setup) => ({
        type,
        pagerSetUp: setup === operators,
        pages: pagesOperators(type, setup),
        paged: planDeliveries(event(type), settings, setup, ['zen-case-case-1'], noon).now.some(
          (d) => d.channel === 'pagerduty',
        ),
      })),
    );
    expect(cases.map(({ type, pagerSetUp, pages }) => ({ type, pagerSetUp, pages }))).toEqual([
      { type: 'case_escalated', pagerSetUp: true, pages: true },
      { type: 'case_escalated', pagerSetUp: false, pages: false },
      { type: 'case_resolved', pagerSetUp: true, pages: true },
      { type: 'case_resolved', pagerSetUp: false, pages: false },
    ]);
    // The plan pages only where it was given the incidents.
    expect(cases.filter((c) => c.paged && !c.pages)).toEqual([]);
    expect(cases.filter((c) => c.paged).map((c) => c.type)).toEqual([
      'case_escalated',
      'case_resolved',
    ]);
  });

  it('resolves the open incidents of the device when its trouble is over', () => {
    const open = ['zen-case-case-0', 'zen-internet_down-pi-1'];
    const plan = planDeliveries(event('internet_recovered'), undefined, operators, open, noon);
    expect(plan.now.filter((d) => d.channel === 'pagerduty').map((d) => d.pagerDuty)).toEqual([
      { action: 'resolve', dedupKey: 'zen-case-case-0' },
      { action: 'resolve', dedupKey: 'zen-internet_down-pi-1' },
    ]);
  });

  it('acknowledges only the taken-over case’s incident, and tells no customer', () => {
    const open = ['zen-case-case-1', 'zen-box_offline-pi-1'];
    const plan = planDeliveries(event('case_taken_over'), settings, operators, open, noon);
    expect(plan.now.map((d) => [d.audience, d.pagerDuty])).toEqual([
      ['operators', { action: 'acknowledge', dedupKey: 'zen-case-case-1' }],
    ]);
  });

  it('a missed deadline opens an incident of its own, per case and kind', () => {
    const breach = (slaKind: 'first_response' | 'resolution') =>
      planDeliveries(
        event('sla_breached', { facts: { slaKind } }),
        settings,
        operators,
        ['zen-case-case-1'],
        noon,
      );
    const first = breach('first_response');
    expect(first.now.map((d) => d.audience)).toEqual(['operators', 'operators', 'operators']);
    expect(first.now.find((d) => d.channel === 'pagerduty')!.pagerDuty).toEqual({
      action: 'trigger',
      dedupKey: 'zen-sla-first_response-case-1',
    });
    expect(
      breach('resolution').now.find((d) => d.channel === 'pagerduty')!.pagerDuty!.dedupKey,
    ).toBe('zen-sla-resolution-case-1');
  });

  it('not fixable from here resolves the case’s incidents, not the device’s trouble', () => {
    const open = [
      'zen-case-case-1',
      'zen-sla-first_response-case-1',
      'zen-case-case-0',
      'zen-internet_down-pi-1',
    ];
    const plan = planDeliveries(
      event('case_not_fixable_remotely'),
      settings,
      operators,
      open,
      noon,
    );
    expect(plan.now.filter((d) => d.channel === 'pagerduty').map((d) => d.pagerDuty)).toEqual([
      { action: 'resolve', dedupKey: 'zen-case-case-1' },
      { action: 'resolve', dedupKey: 'zen-sla-first_response-case-1' },
    ]);
  });

  it('resolved resolves the case’s incident and its missed deadlines', () => {
    const open = ['zen-case-case-1', 'zen-sla-resolution-case-1'];
    const plan = planDeliveries(event('case_resolved'), settings, operators, open, noon);
    expect(plan.now.filter((d) => d.channel === 'pagerduty').map((d) => d.pagerDuty)).toEqual([
      { action: 'resolve', dedupKey: 'zen-case-case-1' },
      { action: 'resolve', dedupKey: 'zen-sla-resolution-case-1' },
    ]);
  });

  it('tells nobody of a customer that does not exist but still tells operators', () => {
    const plan = planDeliveries(event('box_offline'), undefined, operators, [], noon);
    expect(plan.now.map((d) => d.audience)).toEqual(['operators']);
  });
});

describe('quiet hours', () => {
  const overnight = { start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' };

  it('defers a non-urgent event to their end, and operators hear at once', () => {
    // 23:30 in Berlin (UTC+1 in December).
    const late = new Date('2026-12-06T22:30:00Z');
    const plan = planDeliveries(
      event('case_resolved'),
      { ...settings, quietHours: overnight },
      operators,
      ['zen-case-case-0'],
      late,
    );
    expect(plan.later?.until).toBe(Date.parse('2026-12-07T06:00:00Z'));
    expect(plan.later?.deliveries.every((d) => d.audience === 'customer')).toBe(true);
    expect(plan.now.map((d) => d.channel)).toEqual(['pagerduty']);
  });

  it('lets an urgent event through', () => {
    const late = new Date('2026-12-06T22:30:00Z');
    const plan = planDeliveries(
      event('approval_waiting'),
      { ...settings, quietHours: overnight },
      operators,
      [],
      late,
    );
    expect(plan.later).toBeUndefined();
    expect(plan.now).toHaveLength(3);
  });

  it('crosses midnight: inside before and after it, outside in the day', () => {
    expect(quietHoursEnd(overnight, new Date('2026-12-06T21:00:00Z'))).toBe(
      Date.parse('2026-12-07T06:00:00Z'),
    );
    // 05:59:30 Berlin: thirty seconds left.
    expect(quietHoursEnd(overnight, new Date('2026-12-07T04:59:30Z'))).toBe(
      Date.parse('2026-12-07T06:00:00Z'),
    );
    expect(quietHoursEnd(overnight, new Date('2026-12-07T06:00:00Z'))).toBeUndefined();
    expect(quietHoursEnd(overnight, new Date('2026-12-06T20:59:59Z'))).toBeUndefined();
  });

  it('reads the clock in the customer’s own zone', () => {
    const lunch = { start: '12:00', end: '13:00', timeZone: 'America/New_York' };
    // 12:00 UTC is 07:00 in New York: not quiet there.
    expect(quietHoursEnd(lunch, new Date('2026-12-06T12:30:00Z'))).toBeUndefined();
    expect(quietHoursEnd(lunch, new Date('2026-12-06T17:30:00Z'))).toBe(
      Date.parse('2026-12-06T18:00:00Z'),
    );
    // Asia/Kolkata is UTC+5:30.
    const india = { start: '09:00', end: '10:00', timeZone: 'Asia/Kolkata' };
    expect(quietHoursEnd(india, new Date('2026-12-06T03:45:00Z'))).toBe(
      Date.parse('2026-12-06T04:30:00Z'),
    );
  });

  it('treats an unknown zone or an empty window as no quiet hours', () => {
    const now = new Date('2026-12-06T03:00:00Z');
    expect(quietHoursEnd({ start: '00:00', end: '23:59', timeZone: 'Mars/Olympus' }, now)).toBe(
      undefined,
    );
    expect(quietHoursEnd({ start: '08:00', end: '08:00', timeZone: 'UTC' }, now)).toBeUndefined();
  });
});
