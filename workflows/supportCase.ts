import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  proxyActivities,
  setCurrentDetails,
  sleep,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { Advice } from '../contracts/advice';
import type { Actor, CaseStatus } from '../contracts/case';
import type { CommandResult, DeviceCommand } from '../contracts/device';
import { baselineChecks, type CheckName } from '../contracts/checks';
import type { CheckResult } from '../contracts/diagnostics';
import { fixDescriptions } from '../contracts/fixes';
import { scopeWithFix } from '../contracts/office';
import { proposeFix } from './approval';
import { caseDetails } from './caseDetails';
import { handleMessages } from './caseMessages';
import { Escalation } from './escalation';
import { handOver } from './followUp';
import { openingState } from './openingState';
import { patchMarkers } from './patchMarkers';
import { chooseManualStep, manualStepText, type WhatIsKnown } from './manualStep';
import { caseNotifier, closeFacts } from './notifications';
import { watchServiceLevels } from './serviceLevels';
import { technicianDesk } from './technician';
import { caseFigures } from './caseFigures';
import { caseRecorder, recordOptions, workflowActor } from './caseRecord';
import {
  channelWords,
  checkedText,
  checkingText,
  checksInWords,
  unreachableNow,
} from './progressWords';
import {
  defaultCaseSettings,
  deviceCommandFailedType,
  type CaseInput,
  type CaseState,
  type ManualStep,
  type Proposal,
} from './messages';

const acts = proxyActivities<Activities>(recordOptions);

/** A command before the workflow numbers it (distributes over the union). */
type CommandBody<T = DeviceCommand> = T extends unknown ? Omit<T, 'commandId' | 'caseId'> : never;
type DiagnoseAnswer = Extract<CommandResult, { kind: 'diagnose'; ok: true }>;
type RemediateAnswer = Extract<CommandResult, { kind: 'remediate'; ok: true }>;

/** One support case, from the first report to its close. */
export async function supportCase(input: CaseInput): Promise<CaseState> {
  const { since, sinceDec06, fromDec06 } = patchMarkers();
  // People hear of the case's events (notifier). Cases from before this told nobody.
  const notify = caseNotifier(input, sinceDec06('notify-people'), fromDec06);
  const settings = { ...defaultCaseSettings, ...input.settings };
  const state = openingState(input);
  // A hand-over goes on with a technician, against the customer's service levels, and the
  // close leaves its figures. Cases from before this change ended at the hand-over.
  const withTechnicians = sinceDec06('technician-phase');
  let commandSeq = 0;
  /** The last power cycle sent to the box, until a check has run after it. */
  let powerCycle: WhatIsKnown['powerCycle'];
  /** The step the customer was asked to take, until the checks say whether it fixed things. */
  let guidedBy: ManualStep | undefined;
  let customerStepAsked = false;
  /** The last diagnose → advise round; a step the customer took earns one more to verify it. */
  let lastRound = settings.maxRounds;
  /** The SLA clocks, when the customer has service levels. */
  let serviceLevels: ReturnType<typeof watchServiceLevels> | undefined;
  const main = new CancellationScope();
  const { record, recordBeside, recorded } = caseRecorder({
    input,
    state,
    since,
    isClosed,
    lastRound: () => lastRound,
  });

  const desk = technicianDesk({
    state,
    settings,
    record,
    recordBeside,
    notify,
    since,
    sinceDec06,
    diagnose,
    fix,
    finish,
    isClosed,
  });
  const inbox = handleMessages({
    input,
    state,
    main,
    since,
    sinceDec06,
    record,
    isClosed,
    tookOver: (operator) => desk.tookOver(operator),
  });

  // ---- steps ----------------------------------------------------------------

  function isClosed(): boolean {
    return (
      state.status === 'resolved' ||
      state.status === 'escalated' ||
      state.status === 'not_fixable_remotely' ||
      state.status === 'cancelled'
    );
  }

  function setStatus(status: CaseStatus) {
    state.status = status;
  }

  /** Asks the store whether the device is connected. */
  async function checkDeviceOnline(summary: string): Promise<void> {
    const signalsBefore = inbox.connectionSignals;
    const online = await acts.deviceIsOnline.executeWithOptions({ ...recordOptions, summary }, [
      input.deviceId,
    ]);
    // A connection signal that arrived while the check ran is newer than its answer: a
    // device that connected just then would otherwise be waited for as if it were away.
    if (!since('connection-signal-beats-check') || inbox.connectionSignals === signalsBefore) {
      state.deviceOnline = online;
    }
  }

  async function waitForDevice(): Promise<void> {
    // Cases from before manual steps waited once, then escalated.
    if (sinceDec06('manual-step-when-unreachable')) return waitGuidingTheCustomer();
    const minutes = Math.round(settings.deviceOfflineLimitMs / 60_000);
    await recordBeside(
      'device_offline',
      `The Zen box is offline: waiting up to ${minutes || '<1'} min for it to reconnect`,
    );
    const back = await condition(() => state.deviceOnline, settings.deviceOfflineLimitMs, {
      summary: 'Wait for the device to reconnect',
    });
    if (!back) {
      throw new Escalation(
        'unknown',
        'The Zen box stayed offline, so it could not run checks.',
        'Check that the Zen box has power and that its network cable is plugged in; a technician will call you.',
      );
    }
    await recordBeside('device_online', 'The Zen box is back online');
  }

  /**
   * The box cannot reach us: give it a moment to come back by itself, then tell the
   * customer the step that fits what the case knows, and wait for the box long enough
   * for them to take it.
   */
  async function waitGuidingTheCustomer(): Promise<void> {
    const known = () => ({ results: state.results, powerCycle, now: Date.now() });
    const isBack = () => state.deviceOnline;
    let step = chooseManualStep(known());
    // Right after a power cycle the wait is the step; otherwise a reconnect or the box's
    // own LTE link usually brings it back within the grace.
    if (step.waitMs === undefined) {
      // Said at once, with what the customer can look at now, while the case waits for the
      // box. Cases from before this change waited in silence first.
      if (sinceDec06('say-unreachable-at-once')) {
        await askCustomer(unreachableNow(), 'device_unreachable');
      } else {
        const minutes = Math.round(settings.reconnectGraceMs / 60_000);
        await recordBeside(
          'device_offline',
          `The Zen box cannot reach us: waiting up to ${minutes || '<1'} min for it to reconnect`,
        );
      }
      if (
        await condition(isBack, settings.reconnectGraceMs, {
          summary: 'Wait for the device to reconnect',
        })
      ) {
        return deviceBack();
      }
      step = chooseManualStep(known());
    }
    if (step.waitMs !== undefined) {
      await askCustomer(step, 'device_restarting');
      if (await condition(isBack, step.waitMs, { summary: 'Wait for the restart' })) {
        return deviceBack();
      }
      step = chooseManualStep(known());
    }
    await askCustomer(step, 'manual_step_asked');
    guidedBy = step;
    const back = await condition(isBack, settings.manualStepWaitMs, {
      summary: "Wait for the device after the customer's step",
    });
    if (!back) {
      state.manualStep = undefined;
      throw new Escalation(
        step.category,
        'The Zen box stayed unreachable, also after the customer was told what to do.',
        `${manualStepText(step)} A technician will call you.`,
      );
    }
    return deviceBack();
  }

  async function askCustomer(step: ManualStep, actionType: string): Promise<void> {
    state.manualStep = step;
    await recordBeside(actionType, `The Zen box cannot reach us. ${step.title}`, {
      details: { title: step.title, steps: step.steps, because: step.because },
    });
  }

  async function deviceBack(): Promise<void> {
    state.manualStep = undefined;
    await recordBeside(
      'device_online',
      guidedBy
        ? 'The Zen box is back online: checking whether the network works again'
        : 'The Zen box is back online',
    );
  }

  /** Sends one command to the Pi and waits for its answer, riding out disconnects. */
  async function onDevice(command: CommandBody, summary: string): Promise<CommandResult> {
    const full = {
      ...command,
      commandId: `${state.caseId}:cmd${++commandSeq}`,
      caseId: state.caseId,
      deviceId: input.deviceId,
    } as DeviceCommand & { deviceId: string };
    for (let attempt = 1; ; attempt++) {
      if (!state.deviceOnline) await waitForDevice();
      // The box's own link goes down with the modem or router it restarts: that is expected.
      if (
        full.kind === 'remediate' &&
        (full.action === 'power_cycle_modem' || full.action === 'power_cycle_router')
      ) {
        powerCycle ??= { action: full.action, sentAt: Date.now() };
      }
      try {
        return (await acts.dispatchCommand.executeWithOptions(
          {
            startToCloseTimeout: settings.commandTimeoutMs,
            retry: { maximumAttempts: 1 },
            summary,
          },
          [full],
        )) as CommandResult;
      } catch (err) {
        if (isCancellation(err)) throw err;
        if (
          err instanceof ActivityFailure &&
          err.cause instanceof ApplicationFailure &&
          err.cause.type === deviceCommandFailedType
        ) {
          throw new Escalation(
            state.issueCategory,
            `The Zen box could not carry out the command: ${err.cause.message}`,
            'A technician will look at it and call you.',
          );
        }
        // No answer in time: was it the device going away?
        await checkDeviceOnline('Check whether the Zen box is still connected');
        if (attempt >= 3) {
          throw new Escalation(
            state.issueCategory,
            'The Zen box stopped answering.',
            'A technician will look at it and call you.',
          );
        }
      }
    }
  }

  async function diagnose(checks: CheckName[]): Promise<void> {
    const again = state.actionsTaken.length > 0 || customerStepAsked;
    setStatus(again ? 'verifying' : 'diagnosing');
    // Plain words for the customer; the round and the check ids for operators.
    await recordBeside('diagnostics_requested', checkingText(checks, again), {
      details: { round: state.round, checks },
    });
    const answer = (await onDevice(
      { kind: 'diagnose', checks },
      `Run checks on the Zen box: ${checks.join(', ')}`,
    )) as DiagnoseAnswer;
    powerCycle = undefined;
    const latest = new Map<string, CheckResult>(state.results.map((r) => [r.check, r]));
    for (const result of answer.results) latest.set(result.check, result);
    state.results = [...latest.values()];
    const failed = answer.results.filter((r) => !r.ok).map((r) => r.check);
    await recordBeside('diagnostics_received', checkedText(failed), {
      diagnosticData: state.results,
      channel: 'agent',
      details: { round: state.round, checks: answer.results.map((r) => r.check), failed },
    });
  }

  async function ask(): Promise<Advice> {
    const advice = await acts.advise.executeWithOptions(
      { ...recordOptions, summary: `Ask the advisor (round ${state.round})` },
      [
        {
          caseId: state.caseId,
          round: state.round,
          maxRounds: lastRound,
          results: state.results,
          actionsTaken: state.actionsTaken,
          faultScope: state.faultScope,
          description: input.description,
        },
      ],
    );
    state.advice = advice;
    return advice;
  }

  async function fix(proposal: Proposal): Promise<void> {
    setStatus('fixing');
    const started = record('fix_started', `Carrying out: ${proposal.title}`);
    if (!since('fix-dispatched-beside-records')) await started;
    const answer = (await onDevice(
      {
        kind: 'remediate',
        action: proposal.action,
        params: proposal.params,
        // The same fix, resent or retried, runs at most once on the device.
        idempotencyKey: proposal.actionId,
      },
      `Carry out on the Zen box: ${proposal.title}`,
    )) as RemediateAnswer;
    state.actionsTaken.push(proposal.action);
    // A fix carried out after the customer's step: the checks that follow judge the fix.
    guidedBy = undefined;
    await recordBeside('fix_done', answer.outcome.message, {
      channel: 'agent',
      remediationAction: {
        actionId: proposal.actionId,
        action: proposal.action,
        params: proposal.params,
        executed: answer.outcome.executed,
      },
    });
    // A power-cycled modem or router needs minutes before checks mean anything.
    // Cases started before this change verified at once: they replay without the timer.
    if (since('settle-before-verify')) {
      await sleep(settings.settleAfterFixMs, {
        summary: 'Let the network settle before verifying',
      });
    }
  }

  async function finish(
    status: 'resolved' | 'escalated' | 'not_fixable_remotely' | 'cancelled',
    text: string,
    actor: Actor = workflowActor,
  ): Promise<void> {
    state.proposal = undefined;
    state.manualStep = undefined;
    state.status = status;
    state.closedAt = Date.now();
    if (status === 'resolved') {
      state.resolutionMs = state.closedAt - state.openedAt;
      state.resolvedBy ??= 'automation';
    }
    if (withTechnicians) state.figures = caseFigures(state);
    serviceLevels?.stop();
    await record(`case_${status}`, text, {
      actor,
      details: { durationMs: state.closedAt - state.openedAt },
    });
    if (status !== 'cancelled') {
      await notify(`case_${status}`, `case_${status}`, closeFacts(state, withTechnicians));
    }
  }

  /**
   * The fault is the office's and the customer can fix it on site: show the step, wait
   * for their word, and hand the case to a technician if it does not come.
   */
  async function waitForCustomersStep(advice: Extract<Advice, { kind: 'escalate' }>) {
    const { title, steps } = advice.customerStep!;
    const step: ManualStep = {
      title,
      steps,
      because: advice.diagnosis,
      category: advice.issueCategory,
      awaitsWord: true,
    };
    customerStepAsked = true;
    setStatus('awaiting_customer');
    state.manualStep = step;
    await recordBeside('customer_step_asked', `Your step: ${title}`, {
      details: { title, steps, because: advice.diagnosis },
    });
    const done = await condition(() => inbox.stepDone !== undefined, settings.customerStepWaitMs, {
      summary: "Wait for the customer's word that the step is done",
    });
    state.manualStep = undefined;
    if (!done) throw new Escalation(advice.issueCategory, advice.diagnosis, advice.instructions);
    guidedBy = step;
    await recordBeside('customer_step_done', `Done: ${title}. Checking the network again`, {
      actor: inbox.stepDone!.actor,
      channel: inbox.stepDone!.channel,
    });
  }

  /** The box came back after the customer's step and the checks pass: the step fixed it. */
  async function fixedByCustomer(step: ManualStep, checked: string): Promise<void> {
    state.issueCategory = step.category;
    state.diagnosis = step.awaitsWord
      ? `${step.because} After "${step.title}" the checks pass again.`
      : `${step.because} After "${step.title}" the Zen box came back and the checks pass.`;
    await recordBeside('manual_step_fixed', `Fixed by your step: ${step.title}`, {
      details: { title: step.title, category: step.category },
    });
    state.resolvedBy = 'customer';
    return finish('resolved', `Fixed by your step and verified: ${checked}`);
  }

  async function handleCase(): Promise<void> {
    await checkDeviceOnline('Check whether the Zen box is connected');
    await recordBeside(
      'identified',
      `${input.businessName}, identified by ${input.openedBy.role} credentials`,
      { actor: input.openedBy },
    );
    let checks: CheckName[] = baselineChecks;
    for (state.round = 1; state.round <= lastRound; state.round++) {
      await diagnose(checks);
      const advice = await ask();
      if (advice.kind === 'more_checks') {
        await recordBeside('more_checks', `A few more checks: ${checksInWords(advice.checks)}`, {
          details: { checks: advice.checks },
        });
        checks = advice.checks;
        continue;
      }
      if (advice.kind === 'healthy') {
        // The customer said it is still broken: passing checks are evidence for a person,
        // never a close on their own.
        if (state.followUpOf) throw handOver(state, advice.diagnosis);
        if (guidedBy) return fixedByCustomer(guidedBy, advice.diagnosis);
        if (state.actionsTaken.length === 0) state.issueCategory = 'none';
        state.diagnosis ??= advice.diagnosis;
        const fixed = state.actionsTaken.length > 0;
        return finish(
          'resolved',
          fixed ? `Fixed and verified: ${advice.diagnosis}` : advice.diagnosis,
        );
      }
      state.issueCategory = advice.issueCategory;
      state.diagnosis = advice.diagnosis;
      if (advice.kind === 'escalate') {
        // A step the customer can take on site comes before a technician: once they say it
        // is done, everything runs again. Cases from before this change escalated at once.
        if (advice.customerStep && !customerStepAsked && sinceDec06('customer-step-then-verify')) {
          await waitForCustomersStep(advice);
          checks = state.results.map((r) => r.check);
          lastRound = Math.max(lastRound, state.round + 1);
          continue;
        }
        throw new Escalation(advice.issueCategory, advice.diagnosis, advice.instructions);
      }
      if (state.actionsTaken.includes(advice.action)) {
        throw new Escalation(
          advice.issueCategory,
          advice.diagnosis,
          `"${fixDescriptions[advice.action].title}" was already tried. A technician will call you.`,
        );
      }
      // A fix of the box's own settings for a fault of the office's network must not let
      // the box's passing checks close the case: the advisor is told where the fault lay.
      // Cases from before this change closed on the box's checks.
      if (
        fixDescriptions[advice.action].repairs === 'box' &&
        sinceDec06('office-faults-need-office-evidence')
      ) {
        state.faultScope = scopeWithFix(state.faultScope, advice.action, state.results);
      }
      const proposal = await proposeFix(
        { state, settings, record, recordBeside, since, notify },
        advice,
      );
      await fix(proposal);
      // Verify: everything checked so far runs again.
      checks = state.results.map((r) => r.check);
    }
    throw new Escalation(
      state.issueCategory,
      state.diagnosis ?? 'The checks did not find the cause.',
      'A technician will look at the results and call you.',
    );
  }

  // ---- the case -------------------------------------------------------------

  setCurrentDetails(caseDetails(state, input, lastRound));
  await acts.recordCase.executeWithOptions(
    { ...recordOptions, summary: 'Create the case document' },
    [input],
  );
  inbox.caseRecorded = true;
  if (withTechnicians && input.sla) {
    serviceLevels = watchServiceLevels({ state, sla: input.sla, record, notify, isClosed });
  }
  await recordBeside('case_opened', `Case opened through ${channelWords[input.channel]}`, {
    actor: input.openedBy,
    details: { description: input.description, callerPhone: input.callerPhone },
  });
  // A follow-up of a case the customer says is still broken: linked, and a person assigned
  // from the start. Cases from before this change had no follow-ups.
  if (input.followUp && sinceDec06('still-broken-follow-up')) {
    await inbox.followUp(input.followUp, input.openedBy, input.channel);
  }
  try {
    await main.run(async () => {
      try {
        await handleCase();
      } catch (err) {
        // Handed to a person, and the case goes on with them (a setting of 0 ends it here).
        if (!(err instanceof Escalation) || !withTechnicians || settings.technicianWaitMs <= 0) {
          throw err;
        }
        serviceLevels?.handedOver();
        await desk.begin(err);
      }
    });
  } catch (err) {
    if (err instanceof Escalation) {
      state.issueCategory = err.issueCategory;
      state.diagnosis = err.diagnosis;
      state.instructions = err.instructions;
      await finish('escalated', `Escalated to a technician: ${err.diagnosis}`);
    } else if (inbox.closeRequest && isCancellation(err)) {
      await finish(
        'cancelled',
        `Closed by ${inbox.closeRequest.actor.role}: ${inbox.closeRequest.reason}`,
        inbox.closeRequest.actor,
      );
    } else {
      throw err;
    }
  }
  await recorded();
  return state;
}
