import { Device } from '../../store/models';
import { eventually, startTestStack, type TestStack } from '../support/stack';
import { connectedAfter, currentPath, lteBytes, switches } from './cloudLink';
import { describeLab } from './support';
import { buildLab, labCloudLink, type Lab } from './topology';

// The box's own link to the cloud in the lab, without a case: how it rides out a
// flapping office line, and what it costs in LTE data while idle.

const hang = `table inet zen_hang {
 chain forward {
  type filter hook forward priority -200; policy drop;
 }
}
`;

describeLab('the box’s cloud link in the network lab', () => {
  let stack: TestStack;
  let lab: Lab | undefined;
  beforeAll(async () => {
    stack = await startTestStack('lab-link');
  });
  afterEach(async () => {
    await lab?.destroy();
    lab = undefined;
  });
  afterAll(() => stack?.stop());

  async function connectedBox(overrides = {}) {
    lab = await buildLab();
    lab.writeAgentConfig(overrides);
    await lab.openCloud(stack.apiUrl);
    const booted = new Date();
    lab.startAgent(stack.demo.device.token);
    await eventually(
      async () => {
        const device = await Device.findOne({ deviceId: stack.demo.device.deviceId }).lean();
        return device?.status === 'online' && device.lastSeen! >= booted;
      },
      { what: 'the agent to connect', timeoutMs: 60_000 },
    );
    return { lab, booted };
  }

  it('switches at most once per hold window while the office line flaps, and comes back once it holds', async () => {
    const { lab, booted } = await connectedBox();
    expect(currentPath(lab)).toBe('wired');
    const hold = labCloudLink.holdSeconds * 1000;
    // The modem forwards nothing for 14 s, then everything for 6 s, five times over:
    // long enough outages to fail over, too short recoveries to trust.
    const flapping = new Date();
    let steady = flapping;
    for (let i = 0; i < 5; i++) {
      await lab.nft('mdm', hang);
      await new Promise((r) => setTimeout(r, 14_000));
      await lab.in('mdm', 'nft', ['delete', 'table', 'inet', 'zen_hang']);
      // The last recovery is the one that holds.
      steady = new Date();
      await new Promise((r) => setTimeout(r, 6_000));
    }
    const during = switches(lab).filter(
      (s) => new Date(s.time) >= flapping && new Date(s.time) < steady,
    );
    expect(during.length).toBeGreaterThanOrEqual(1);
    const times = during.map((s) => new Date(s.time).getTime());
    for (let i = 1; i < times.length; i++) {
      expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(hold);
    }
    // Steady again: back on the office network, after the hold and not before.
    const back = await connectedAfter(lab, 'wired', steady, hold + 30_000);
    expect(back.getTime() - steady.getTime()).toBeGreaterThanOrEqual(hold - 1000);
    expect(currentPath(lab)).toBe('wired');
    console.log(
      `flapping line: ${during.length} switch(es) in ${(steady.getTime() - flapping.getTime()) / 1000} s; back on wired ${(back.getTime() - steady.getTime()) / 1000} s after it held (agent up since ${booted.toISOString()})`,
    );
  }, 240_000);

  it('counts the LTE data an idle link costs', async () => {
    const { lab } = await connectedBox({
      cloudPath: 'lte',
      cloudLink: { ...labCloudLink, lteHeartbeatSeconds: 300 },
    });
    await eventually(async () => currentPath(lab) === 'lte', {
      what: 'the link over LTE',
      timeoutMs: 30_000,
    });
    // The connection is made; what follows is the idle cost: pings and heartbeats.
    await new Promise((r) => setTimeout(r, 5_000));
    const start = lteBytes(lab);
    const started = Date.now();
    await new Promise((r) => setTimeout(r, 120_000));
    // The agent samples its counters at each LTE usability check; give it one more.
    await new Promise((r) => setTimeout(r, (labCloudLink.wiredCheckSeconds + 1) * 1000));
    const used = lteBytes(lab) - start;
    const hours = (Date.now() - started) / 3_600_000;
    expect(used).toBeGreaterThan(0);
    console.log(
      `idle link over LTE: ${used} bytes in ${Math.round(hours * 3600)} s, about ${Math.round(used / hours / 1000)} kB per hour`,
    );
  }, 240_000);
});
