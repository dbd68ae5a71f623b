import { DeliveryChannel } from '../../contracts/notifications';
import { SlaKind } from '../../contracts/technician';
import { registry } from '../../observability/metrics';

// increase() cannot count a series' first sample: a counter that appears only with its first
// breach or failure would never raise ZenSlaBreached or ZenNotificationsFailing. These series
// must be served at 0 before anything happens.

describe('counters the alerts watch', () => {
  test('are served at 0 by a process that has counted nothing yet', async () => {
    const text = await registry.metrics();
    for (const kind of SlaKind.options) {
      expect(text).toContain(`zen_sla_breaches_total{kind="${kind}"} 0\n`);
    }
    for (const channel of DeliveryChannel.options) {
      expect(text).toContain(`zen_notifications_total{channel="${channel}",outcome="failed"} 0\n`);
    }
  });
});
