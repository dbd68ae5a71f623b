import type { WorkflowHandle } from '@temporalio/client';
import { Device } from '../../store/models';
import { openDemoCase, stateOf } from '../support/cases';
import { call, eventually, startTestStack, type TestStack } from '../support/stack';
import type { CaseState } from '../../workflows/messages';
import { unreachableNow } from '../../workflows/progressWords';
import { bootAgent } from './cloudLink';
import { applyFault } from './faults';
import type { Fault } from './scenario';
import { describeLab } from './support';
import { lan } from './addresses';
import { buildLab, type Lab } from './topology';

// A box without LTE, cut off with the office: the cloud notices it has gone
// silent, the case tells the customer the step that fits, the test does that step
// as a person in the office would, and the case verifies and closes.

/** What a person in the office does, from the office PC's side of the LAN. */
type Remedy = (lab: Lab) => Promise<unknown>;

/** The plug's own button: off now, back on by itself after ten seconds. */
const unplug =
  (address: string): Remedy =>
  (lab) =>
    lab.in('pc', process.execPath, [
      '-e',
      `require('node:http').get('http://${address}/rpc/Switch.Set?id=0&on=false&toggle_after=10', (r) => { r.resume(); r.on('end', () => process.exit(r.statusCode === 200 ? 0 : 1)); }).on('error', () => process.exit(1));`,
    ]);

const cases: { name: string; fault: Fault; remedy: Remedy; because: string }[] = [
  {
    name: 'modem hung',
    fault: { kind: 'modem-hung' },
    remedy: unplug(lan.modemPlug),
    because: 'restarts the modem',
  },
  {
    name: 'router hung',
    fault: { kind: 'router-hung' },
    remedy: unplug(lan.routerPlug),
    because: 'restarts the router',
  },
  {
    name: 'ISP outage',
    fault: { kind: 'isp-outage' },
    remedy: (lab) => lab.in('isp', 'nft', ['delete', 'table', 'inet', 'zen_fault']),
    because: 'waits for the provider',
  },
  {
    name: 'switch port down',
    fault: { kind: 'link-down' },
    remedy: (lab) => lab.in('sw', 'ip', ['link', 'set', 'pi', 'up']),
    because: 'plugs the cable back',
  },
];

describeLab('a box without LTE, cut off with the office network', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // The box gets a short grace to come back by itself (2 min on a real case).
    stack = await startTestStack('lab-offline', { caseSettings: { reconnectGraceMs: 5_000 } });
  });
  afterAll(() => stack?.stop());

  for (const { name, fault, remedy, because } of cases) {
    it(`${name}: the customer is told what to do, ${because}, and the case closes resolved`, async () => {
      const lab = await buildLab();
      const deviceId = stack.demo.device.deviceId;
      let opened: WorkflowHandle | undefined;
      try {
        lab.writeAgentConfig({ lte: undefined });
        await lab.openCloud(stack.apiUrl);
        await bootAgent(lab, stack.demo.device);

        const struck = Date.now();
        await applyFault(lab, fault);
        // Nothing reaches the cloud now; it hears the silence.
        await eventually(
          async () => (await Device.findOne({ deviceId }).lean())?.status === 'offline',
          { what: 'the cloud to notice the silent box', timeoutMs: 120_000 },
        );
        console.log(
          `${name}: the cloud noticed the silent box after ${(Date.now() - struck) / 1000} s`,
        );

        // The customer calls in: the case says at once that it cannot reach the box and what
        // anyone can look at; after the box's grace, the step that fits what is known.
        const { caseId, handle } = await openDemoCase(stack, 'Nobody in the office can get online');
        opened = handle;
        const first = unreachableNow().title;
        const guided = await eventually(
          async () => {
            const state: CaseState = await stateOf(handle).catch(() => undefined as never);
            return state?.manualStep && state.manualStep.title !== first ? state : undefined;
          },
          { what: 'the case to guide the customer with the step that fits', timeoutMs: 60_000 },
        );
        expect(guided.timeline.map((t) => t.text)).toContain(
          `The Zen box cannot reach us. ${first}`,
        );
        expect(guided.manualStep!.steps.length).toBeGreaterThan(0);
        // The portal shows the same step to the customer.
        const page = await call(`${stack.apiUrl}/api/cases/${caseId}`, stack.demo.customer.token);
        expect(JSON.stringify(page.body)).toContain(guided.manualStep!.title);

        await remedy(lab);
        const final = await handle.result();
        expect(final.status).toBe('resolved');
        expect(final.manualStep).toBeUndefined();
        expect(final.timeline.map((t) => t.text).join('\n')).toMatch(/your step/i);
        expect(await lab.officePc()).toEqual({ dns: true, internet: true, http: true });
        console.log(`${name}: fault -> resolved in ${(Date.now() - struck) / 1000} s`);
      } catch (err) {
        throw new Error(`${(err as Error).message}\n\nLab processes:\n${lab.logs()}`);
      } finally {
        await opened?.terminate('lab scenario over').catch(() => undefined);
        await lab.destroy();
      }
    }, 420_000);
  }
});
