import { condition, isCancellation, setHandler } from '@temporalio/workflow';
import type { Actor } from '../contracts/case';
import type { CheckName } from '../contracts/checks';
import { fixDescriptions } from '../contracts/fixes';
import { proposeFix } from './approval';
import type { RecordStep } from './caseMessages';
import { Escalation } from './escalation';
import {
  addNoteUpdate,
  assignCaseUpdate,
  closeUnfixableUpdate,
  proposeFixUpdate,
  requestChecksUpdate,
  resolveCaseUpdate,
  type CaseSettings,
  type CaseState,
  type CloseUnfixableRequest,
  type Proposal,
  type ResolveCaseRequest,
  type TechnicianChecksRequest,
  type TechnicianProposal,
} from './messages';
import type { CaseNotifier } from './notifications';
import { checksInWords } from './progressWords';
import { isStaff } from './staff';

// A case the automation handed over goes on with a person: Updates with validators let an
// operator claim it, write notes (internal, or to the customer), have the box run checks,
// propose a catalog fix the customer still approves, and close it with a resolution code
// or as not fixable remotely. Every step is recorded like the automation's.

export interface TechnicianContext {
  state: CaseState;
  settings: CaseSettings;
  record: RecordStep;
  recordBeside: RecordStep;
  notify: CaseNotifier;
  since: (patch: string) => boolean;
  sinceDec06: (patch: string) => boolean;
  /** Runs checks on the box (supportCase's diagnose). */
  diagnose(checks: CheckName[]): Promise<void>;
  /** Carries out an approved fix on the box (supportCase's fix). */
  fix(proposal: Proposal): Promise<void>;
  /** Closes the case (supportCase's finish). */
  finish(
    status: 'resolved' | 'escalated' | 'not_fixable_remotely',
    text: string,
    actor?: Actor,
  ): Promise<void>;
  isClosed(): boolean;
}

type Job =
  | { kind: 'checks'; request: TechnicianChecksRequest }
  | { kind: 'propose'; request: TechnicianProposal };
type Closing =
  | { kind: 'resolve'; request: ResolveCaseRequest }
  | { kind: 'unfixable'; request: CloseUnfixableRequest };

const unfixableWords: Record<CloseUnfixableRequest['reason'], string> = {
  onsite_visit: 'it needs a visit on site',
  isp_fault: 'the fault is with the internet provider',
  hardware_replacement: 'a device needs replacing',
  customer_equipment: 'it is in equipment we do not manage',
  third_party: 'another company has to fix it',
  customer_unreachable: 'we could not reach you to go on',
};

/**
 * Registers the technician's Updates. Until the hand-over (`begin`) their validators
 * refuse everything but a claim, which the automatic phase has always taken.
 */
export function technicianDesk(ctx: TechnicianContext) {
  const { state } = ctx;
  const jobs: Job[] = [];
  let closing: Closing | undefined;
  let busy: Job['kind'] | undefined;
  /** Accepted technician actions: each one re-arms the wait for the next. */
  let actions = 0;
  let proposals = 0;
  let messages = 0;

  const phase = () => state.technician;

  /** Someone holds the case now; a check or fix under way keeps its own status. */
  function held() {
    if (state.status === 'awaiting_technician') state.status = 'with_technician';
  }

  function responded(actor: Actor) {
    actions++;
    const p = phase();
    // A partner's person answers for the customer's service levels too. No case before this
    // change has a partner's Update in its history (the validators refused them).
    const staff =
      actor.role === 'operator' ||
      (actor.role === 'partner' && ctx.sinceDec06('partner-technicians'));
    if (p && p.firstResponseAt === undefined && staff) {
      p.firstResponseAt = Date.now();
    }
  }

  function mustHold(actor: Actor) {
    if (!phase()) throw new Error('The case is not with a technician');
    if (ctx.isClosed() || closing) throw new Error('The case is already closed');
    if (!isStaff(actor)) throw new Error('Only a technician can work on a case');
    if (state.assignedOperator !== actor.id) {
      throw new Error(
        state.assignedOperator
          ? 'Another operator holds this case'
          : 'Claim the case before working on it',
      );
    }
  }

  function mustBeFree() {
    if (busy === 'checks' || jobs.some((j) => j.kind === 'checks')) {
      throw new Error('Checks are running on the Zen box: wait for their results');
    }
    if (busy === 'propose' || jobs.some((j) => j.kind === 'propose') || state.proposal) {
      throw new Error('A fix is waiting for the customer or being carried out');
    }
  }

  setHandler(
    assignCaseUpdate,
    ({ actor, operatorId }) => {
      const before = state.assignedOperator;
      state.assignedOperator = operatorId;
      held();
      responded(actor);
      const self = operatorId === actor.id;
      void ctx.record(
        'technician_assigned',
        self
          ? 'A Zen & Zen technician took the case'
          : 'The case was given to a Zen & Zen technician',
        { actor, channel: 'portal', details: { operatorId, before } },
      );
      return state;
    },
    {
      validator: ({ actor, operatorId }) => {
        if (!phase()) throw new Error('The case is not with a technician');
        if (ctx.isClosed() || closing) throw new Error('The case is already closed');
        if (!isStaff(actor)) throw new Error('Only a technician can assign a case');
        // One person holds a case: whoever holds it (or anyone, while nobody does) hands it on.
        if (state.assignedOperator && state.assignedOperator !== actor.id) {
          throw new Error('Another operator holds this case');
        }
        if (state.assignedOperator === operatorId)
          throw new Error('That operator holds it already');
      },
    },
  );

  setHandler(
    addNoteUpdate,
    ({ actor, visibility, text }) => {
      responded(actor);
      phase()!.notes.push({ at: Date.now(), actor, visibility, text });
      if (visibility === 'internal') {
        void ctx.record('technician_note', 'Internal note', {
          actor,
          channel: 'portal',
          details: { note: text },
          internal: true,
        });
      } else {
        messages++;
        void ctx.record('technician_message', 'A message from your technician', {
          actor,
          channel: 'portal',
          details: { note: text },
        });
        void ctx.notify('technician_message', `message${messages}`, { message: text });
      }
      return state;
    },
    { validator: ({ actor }) => mustHold(actor) },
  );

  setHandler(
    requestChecksUpdate,
    (request) => {
      responded(request.actor);
      jobs.push({ kind: 'checks', request });
      phase()!.checksPending = request.checks;
      return state;
    },
    {
      validator: ({ actor, checks }) => {
        mustHold(actor);
        mustBeFree();
        if (checks.length === 0) throw new Error('Name at least one check');
        if (!state.deviceOnline)
          throw new Error('The Zen box is offline: it cannot run checks now');
      },
    },
  );

  setHandler(
    proposeFixUpdate,
    (request) => {
      responded(request.actor);
      jobs.push({ kind: 'propose', request });
      return state;
    },
    {
      validator: ({ actor, action }) => {
        mustHold(actor);
        mustBeFree();
        if (!(action in fixDescriptions)) throw new Error(`No fix called ${action}`);
        if (!state.deviceOnline)
          throw new Error('The Zen box is offline: it cannot carry out a fix now');
      },
    },
  );

  // Resolve and close answer once the case is closed, with its final state.
  const closeWith = async (next: Closing) => {
    responded(next.request.actor);
    closing = next;
    await condition(() => ctx.isClosed());
    return state;
  };
  const mayClose = (actor: Actor) => {
    mustHold(actor);
    if (busy || jobs.length > 0) throw new Error('Wait for the running checks or fix to finish');
    if (state.proposal) throw new Error('A fix is waiting for the customer: wait for their answer');
  };
  setHandler(resolveCaseUpdate, (request) => closeWith({ kind: 'resolve', request }), {
    validator: ({ actor }) => mayClose(actor),
  });
  setHandler(closeUnfixableUpdate, (request) => closeWith({ kind: 'unfixable', request }), {
    validator: ({ actor }) => mayClose(actor),
  });

  async function runJob(job: Job): Promise<void> {
    busy = job.kind;
    try {
      if (job.kind === 'checks') {
        const { checks, actor } = job.request;
        await ctx.recordBeside(
          'technician_checks',
          `A technician asked for ${checksInWords(checks)}`,
          {
            actor,
            channel: 'portal',
            details: { checks },
          },
        );
        await ctx.diagnose(checks);
        phase()!.checksPending = undefined;
      } else {
        const { action, params, reason, actor } = job.request;
        const category = state.issueCategory;
        const proposal = await proposeFix(
          { ...ctx, state },
          {
            kind: 'remediate',
            action,
            params,
            issueCategory: category,
            diagnosis: reason,
            rationale: `Proposed by a technician: ${reason}`,
          },
          { actionId: `${state.caseId}:tech-fix${++proposals}`, actor },
        );
        await ctx.fix(proposal);
        // The fix is checked at once; the technician decides from the results.
        const checks = state.results.map((r) => r.check);
        if (checks.length > 0) await ctx.diagnose(checks);
      }
    } catch (err) {
      if (isCancellation(err)) throw err;
      if (!(err instanceof Escalation)) throw err;
      // A declined or unanswered fix, a box that stopped answering: the technician hears it
      // on the case and decides what next.
      phase()!.checksPending = undefined;
      const firstSentence = err.instructions.split(/(?<=\.)\s/)[0];
      await ctx.recordBeside('technician_step_failed', `Not carried out: ${firstSentence}`, {
        details: { why: err.diagnosis },
      });
    } finally {
      busy = undefined;
      state.status = 'with_technician';
    }
  }

  async function close(next: Closing): Promise<void> {
    const p = phase()!;
    const at = Date.now();
    if (next.kind === 'resolve') {
      const { code, summary, actor } = next.request;
      p.resolution = { code, summary, actor, at };
      state.resolvedBy = 'technician';
      state.diagnosis ??= summary;
      return ctx.finish('resolved', `Resolved by a technician: ${summary}`, actor);
    }
    const { reason, summary, actor } = next.request;
    p.unfixable = { reason, summary, actor, at };
    return ctx.finish(
      'not_fixable_remotely',
      `Cannot be fixed remotely: ${unfixableWords[reason]}. ${summary}`,
      actor,
    );
  }

  return {
    /** A take-over (caseMessages.ts) once handed over is the claim: a first response. */
    tookOver(actor: Actor) {
      if (!phase()) return;
      held();
      responded(actor);
    },
    /** Hands the case over and works it until a technician closes it, or nobody comes. */
    async begin(escalation: Escalation): Promise<void> {
      state.issueCategory = escalation.issueCategory;
      state.diagnosis = escalation.diagnosis;
      state.instructions = escalation.instructions;
      state.proposal = undefined;
      state.manualStep = undefined;
      state.technician = { handedOverAt: Date.now(), notes: [] };
      state.status = state.assignedOperator ? 'with_technician' : 'awaiting_technician';
      await ctx.record('handed_to_technician', `Handed to a technician: ${escalation.diagnosis}`, {
        details: { instructions: escalation.instructions },
      });
      await ctx.notify('case_escalated', 'case_escalated', {
        diagnosis: escalation.diagnosis.slice(0, 1000),
      });
      for (;;) {
        const seen = actions;
        const woke = await condition(
          () => closing !== undefined || jobs.length > 0 || actions !== seen,
          ctx.settings.technicianWaitMs,
          { summary: 'Wait for the technician' },
        );
        if (!woke) {
          const days = Math.round(ctx.settings.technicianWaitMs / 86_400_000);
          return ctx.finish(
            'escalated',
            `No technician worked on the case for ${days || '<1'} days: closed as handed over`,
          );
        }
        const job = jobs.shift();
        if (job) await runJob(job);
        if (closing && !busy && jobs.length === 0) return close(closing);
      }
    },
  };
}
