import type { WorkflowHandle } from '@temporalio/client';
import type { MonitorState } from '../../contracts/monitor';
import { notificationWorkflowId } from '../../notifier/notify';
import { unseal } from '../../privacy/seal';
import { Case, Device } from '../../store/models';
import type { supportCase } from '../../workflows/supportCase';
import { approve, waitForStatus } from '../support/cases';
import { call, eventually, startTestStack, type TestStack } from '../support/stack';
import { emails } from '../notifications/support';
import { bootAgent } from './cloudLink';
import { applyFault } from './faults';
import { loadScenarios, type Fault } from './scenario';
import { describeLab, expectCaseEnd } from './support';
import { buildLab, labMonitor, type Lab } from './topology';

// The real agent's own monitor in the lab: nobody opens a case. The box notices the
// real fault (the modem hangs, or the ISP drops the line) with its probes out of the
// office interface, reports it over its LTE link, and the case opens by itself on the
// agent channel; the advisor's fix is approved, or the case escalates, as in the
// lab's other whole cases; the office PC tells what the office gets; and once the
// network works again the box reports its recovery and the cloud raises it. What
// people hear is read from the notifier's stand-ins (Telnyx, SMTP, Slack, PagerDuty):
// the account hears of the case, an office manager (by the customer's settings) of the
// internet going down and coming back, and operators of an escalation.

const scenarios = ['modem-hung', 'isp-outage'];

/** The outside trouble of an escalated scenario ends (the ISP restores the line). */
async function troubleOver(lab: Lab, fault: Fault): Promise<void> {
  if (fault.kind !== 'isp-outage') throw new Error(`Nothing in this test ends ${fault.kind}`);
  await lab.nft('isp', 'delete table inet zen_fault');
}

/** The office manager hears only of the line, by SMS; the account of everything else. */
const managerPhone = '+15557650001';

describeLab('the box’s own monitor in the network lab', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('lab-monitor', { notifications: { retrySeconds: 3 } });
    const { email, phone, businessName, token } = stack.demo.customer;
    const saved = await call(`${stack.apiUrl}/api/customers/me/notifications`, token, {
      method: 'PUT',
      body: {
        contacts: [
          {
            name: businessName,
            email,
            phone,
            channels: ['email', 'sms'],
            events: ['approval_waiting', 'approval_reminder', 'case_resolved', 'case_escalated'],
          },
          {
            name: 'Office manager',
            phone: managerPhone,
            channels: ['sms'],
            events: ['internet_down', 'internet_recovered'],
          },
        ],
      },
    });
    expect(saved.status).toBe(200);
  });
  afterAll(() => stack?.stop());

  const deviceId = () => stack.demo.device.deviceId;
  const storedState = async () => {
    const device = await Device.findOne({ deviceId: deviceId() }).lean();
    return device?.monitorState as MonitorState | undefined;
  };
  const notified = (key: string) =>
    stack.client.workflow
      .getHandle(notificationWorkflowId(key))
      .describe()
      .catch(() => undefined);

  /** What the stand-ins received since `mark()`: SMS, emails, Slack, PagerDuty events. */
  function received() {
    const n = stack.notifier!;
    const start = {
      sms: n.telnyx.messages.length,
      emails: new Set(emails(n)),
      slack: n.slack.messages.length,
    };
    return {
      sms: (to: string, containing: string) =>
        n.telnyx.messages
          .slice(start.sms)
          .filter((m) => m.to === to && m.text.includes(containing)),
      emails: (to: string, containing: string) =>
        emails(n).filter(
          (m) => !start.emails.has(m) && m.includes(`To: ${to}`) && m.includes(containing),
        ),
      slack: (containing: string) =>
        n.slack.messages.slice(start.slack).filter((m) => m.text.includes(containing)),
    };
  }
  const exactlyOne = async <T>(list: () => T[], what: string): Promise<T> => {
    const [one] = await eventually(async () => list().length > 0 && list(), { what });
    // A second copy would come within the notifier's retries; none may.
    await new Promise((r) => setTimeout(r, 1000));
    expect(list()).toHaveLength(1);
    return one!;
  };

  for (const { name, scenario } of loadScenarios().filter((s) => scenarios.includes(s.name))) {
    const { status, category, action } = scenario.expectedEnd;

    it(`${name}: the box notices, its case opens by itself and ends ${status}, and the recovery is raised`, async () => {
      const lab = await buildLab(scenario.topology);
      let opened: WorkflowHandle<typeof supportCase> | undefined;
      const heard = received();
      const account = stack.demo.customer;
      try {
        lab.writeAgentConfig({ monitor: { ...labMonitor, enabled: true } });
        await lab.openCloud(stack.apiUrl);
        const booted = await bootAgent(lab, stack.demo.device);
        await eventually(async () => (await storedState())?.state === 'healthy', {
          what: 'the monitor’s first verdict: healthy',
          timeoutMs: 60_000,
        });
        const casesSince = async (at: Date) =>
          (await Case.find({ deviceId: deviceId() }).lean()).filter((c) => c.createdAt! >= at);
        // A working network opens nothing.
        expect(await casesSince(booted)).toEqual([]);

        const struck = new Date();
        for (const fault of scenario.faults) await applyFault(lab, fault);
        const created = await eventually(async () => (await casesSince(struck))[0], {
          what: 'the case the box opens',
          timeoutMs: 120_000,
        });
        console.log(
          `${name}: fault -> case opened by the box in ${(created.createdAt!.getTime() - struck.getTime()) / 1000} s`,
        );
        expect(created.channel).toBe('agent');
        const fault = (await storedState())!;
        expect(fault).toMatchObject({ state: 'fault' });
        expect(fault.failing).toEqual(expect.arrayContaining(['internet']));
        expect(fault.failing).not.toContain('gateway');
        // Reported over LTE: the words say the box is still online.
        // Stored sealed under the customer's key (privacy/), like every reporter's words.
        const words = await unseal((created.reports as { words: string }[])[0]!.words);
        expect(words).toMatch(
          /^The Zen box noticed on its own that .*the internet stopped answering/,
        );
        expect(words).toMatch(/still online over its own mobile \(LTE\) connection/);
        await eventually(() => notified(`internet_down:${deviceId()}:${fault.since}`), {
          what: 'internet_down raised',
        });
        // The line going down reaches whom the customer's settings name, and only them.
        const down = await exactlyOne(
          () => heard.sms(managerPhone, 'the internet is down'),
          'the internet-down SMS to the office manager',
        );
        expect(down.text).toMatch(/Not working: .*the internet/);
        expect(heard.sms(account.phone, 'internet is down')).toEqual([]);
        expect(heard.emails(account.email, 'Subject: The internet is down')).toEqual([]);
        await eventually(async () => heard.slack('The internet is down').length === 1, {
          what: 'the internet down on Slack',
        });

        // What the office's computers get meanwhile.
        await lab.restartOfficePc();
        expect(await lab.officePc()).toMatchObject(scenario.officePcDuring ?? {});

        opened = stack.client.workflow.getHandle<typeof supportCase>(created.workflowId);
        const caseId = String(created._id);
        const link = `http://portal.test/cases/${caseId}`;
        if (action) {
          const waiting = await waitForStatus(opened, 'awaiting_approval', 150_000);
          expect(waiting.proposal?.action).toBe(action);
          // The customer is asked, by SMS and email, with the link to the case's page.
          const ask = await exactlyOne(() => heard.sms(account.phone, link), 'the approval SMS');
          expect(ask.text).toContain('waits for your approval');
          const mail = await exactlyOne(
            () => heard.emails(account.email, link),
            'the approval email',
          );
          expect(mail).toContain('Subject: A fix for your network is waiting for your approval');
          expect(heard.sms(managerPhone, link)).toEqual([]);
          expect((await approve(stack, created._id, waiting.proposal!.actionId)).status).toBe(200);
        }
        const final = await opened.result();
        expectCaseEnd(name, final, { status, category, action });
        if (status === 'resolved') {
          await exactlyOne(
            () => heard.sms(account.phone, 'your network problem is fixed'),
            'the resolved SMS',
          );
          const fixed = await exactlyOne(
            () => heard.emails(account.email, 'Subject: Your network problem is fixed'),
            'the resolved email',
          );
          expect(fixed).toContain(link);
        } else {
          // The customer hears a technician takes over; operators get the case to take.
          await exactlyOne(
            () => heard.sms(account.phone, 'a technician is taking over'),
            'the escalation SMS',
          );
          await exactlyOne(
            () => heard.slack('A technician is taking over').filter((m) => m.text.includes(link)),
            'the escalation on Slack',
          );
          await exactlyOne(
            () => heard.emails('oncall@zen-support.example', link),
            'the escalation to the operators’ email',
          );
          await eventually(
            async () =>
              stack.notifier!.pagerDuty.incidents.get(`zen-case-${caseId}`)?.status === 'triggered',
            { what: 'a PagerDuty trigger' },
          );
        }
        await lab.restartOfficePc();
        expect(await lab.officePc()).toMatchObject(
          scenario.officePcAfter ?? { dns: true, internet: true, http: true },
        );

        // An escalated fault ends when the outside trouble does: the ISP restores the line.
        if (status !== 'resolved') {
          for (const f of scenario.faults) await troubleOver(lab, f);
        }
        const recovered = await eventually(
          async () => {
            const state = await storedState();
            return state?.state === 'healthy' && state.since > fault.since ? state : undefined;
          },
          { what: 'the recovery reported', timeoutMs: 120_000 },
        );
        console.log(
          `${name}: fault -> recovery reported in ${(Date.parse(recovered.since) - struck.getTime()) / 1000} s`,
        );
        const raised = await eventually(
          () => notified(`internet_recovered:${deviceId()}:${recovered.since}`),
          { what: 'internet_recovered raised' },
        );
        expect(raised.type).toBe('notifyPeople');
        await exactlyOne(
          () => heard.sms(managerPhone, 'the internet is back'),
          'the internet-back SMS to the office manager',
        );
        expect(heard.sms(account.phone, 'internet is back')).toEqual([]);
        if (status !== 'resolved') {
          // The recovery resolves the escalation's incident, by the same dedup key.
          const dedupKey = `zen-case-${String(created._id)}`;
          await eventually(
            async () => stack.notifier!.pagerDuty.incidents.get(dedupKey)?.status === 'resolved',
            { what: 'the PagerDuty resolve' },
          );
          const events = stack.notifier!.pagerDuty.events.filter((e) => e.dedupKey === dedupKey);
          expect(events.map((e) => e.action)).toEqual(['trigger', 'resolve']);
        }
      } catch (err) {
        throw new Error(`${(err as Error).message}\n\nLab processes:\n${lab.logs()}`);
      } finally {
        await opened?.terminate('lab scenario over').catch(() => undefined);
        await lab.destroy();
      }
    }, 420_000);
  }
});
