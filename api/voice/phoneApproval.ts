import type { Client } from '@temporalio/client';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { decideRemediationUpdate, type CaseState } from '../../workflows/messages';
import { attemptsLeft, LockedOut, sendCode, verifyCode } from '../identity/otp';
import type { ClientState } from './callEvents';
import type { CallSession } from './callSession';
import { prompts } from './prompts';
import { codeAbout } from './words';
import { callerActorId } from '../../privacy/writers';

// Approving a fix on the phone: the caller hears what is wrong and what the fix
// does, keys the emailed one-time code (the e-mail says what it approves), then
// 1 (approve) or 2 (decline); the decision goes through the case's
// decideRemediation Update like the portal's, and the first decision wins.

export interface ApprovalDeps {
  temporal: Client;
  /** How long a Temporal call may take. */
  deadlineMs: number;
  say(session: CallSession, text: string, state?: ClientState): Promise<void>;
  gather(session: CallSession, text: string, p: 'code' | 'decide'): Promise<void>;
  caseState(session: CallSession): Promise<CaseState | undefined>;
  signal(session: CallSession, type: 'gather_timeout'): Promise<void>;
}

const purpose = 'phone-approval' as const;

export class PhoneApproval {
  constructor(private readonly deps: ApprovalDeps) {}

  /** When a fix this call has not dealt with waits for approval: explains it and asks for the code. */
  async offer(session: CallSession, state: CaseState): Promise<boolean> {
    const proposal = state.proposal;
    if (
      state.status !== 'awaiting_approval' ||
      !proposal ||
      session.settled.has(proposal.actionId) ||
      state.decisions.some((d) => d.actionId === proposal.actionId)
    ) {
      return false;
    }
    session.actionId = proposal.actionId;
    session.fix = {
      action: proposal.action,
      risk: proposal.risk,
      estimatedDuration: proposal.estimatedDuration,
    };
    session.category = state.issueCategory;
    session.lastStatus = state.status;
    try {
      await this.sendCode(session);
    } catch (err) {
      if (!(err instanceof LockedOut)) throw err;
      this.settle(session);
      await this.deps.say(session, prompts.tooManyCodes(remainingMs(err)));
      return true;
    }
    session.phase = 'code';
    await this.deps.gather(session, prompts.askCode(session.category, session.fix), 'code');
    return true;
  }

  async checkCode(session: CallSession, digits: string): Promise<void> {
    const subject = { customerId: session.customerId, purpose };
    const verdict = await verifyCode(subject, digits);
    switch (verdict) {
      case 'ok':
        session.phase = 'decide';
        await this.deps.gather(session, prompts.askDecision(session.fix!), 'decide');
        return;
      case 'wrong':
        await this.deps.gather(session, prompts.wrongCode(await attemptsLeft(subject)), 'code');
        return;
      case 'expired':
        await this.sendCode(session);
        await this.deps.gather(session, prompts.expiredCode, 'code');
        return;
      case 'locked':
        this.settle(session);
        await this.deps.say(session, prompts.codeDead);
        return;
    }
  }

  async decide(session: CallSession, digits: string): Promise<void> {
    const approved = digits.startsWith('1');
    const actionId = session.actionId!;
    this.settle(session);
    try {
      await this.deps.temporal.withDeadline(Date.now() + this.deps.deadlineMs, () =>
        this.deps.temporal.workflow
          .getHandle(session.workflowId!, session.runId)
          .executeUpdate(decideRemediationUpdate, {
            args: [
              {
                actionId,
                approved,
                note: 'Keyed in on the phone after the emailed code',
                actor: {
                  id: callerActorId(session.customerId, session.from),
                  role: 'customer',
                  customerId: session.customerId,
                },
                channel: 'phone',
              },
            ],
          }),
      );
    } catch (err) {
      if (!(err instanceof WorkflowUpdateFailedError)) throw err;
      // Lost the race: the portal (or an operator) decided first.
      const state = await this.deps.caseState(session).catch(() => undefined);
      const reason = err.cause?.message ?? err.message;
      const decided =
        /^Already (approved|declined)/.test(reason) ||
        Boolean(state?.decisions.some((d) => d.actionId === actionId));
      await this.deps.say(session, decided ? prompts.alreadyDecided : prompts.notAccepted);
      return;
    }
    // The caller is told the fix is under way; the same news is not said again.
    if (approved) session.lastStatus = 'fixing';
    await this.deps.say(session, approved ? prompts.approved : prompts.declined);
  }

  /** The caller keyed nothing in time. */
  async noAnswer(session: CallSession): Promise<void> {
    await this.deps.signal(session, 'gather_timeout');
    this.settle(session);
    await this.deps.say(session, prompts.noAnswer);
  }

  /** This fix is done with as far as the call goes: back to speaking progress. */
  settle(session: CallSession): void {
    if (session.actionId) session.settled.add(session.actionId);
    if (session.phase !== 'ended' && session.phase !== 'closing') session.phase = 'progress';
  }

  private async sendCode(session: CallSession): Promise<void> {
    await sendCode({
      customerId: session.customerId,
      email: session.email,
      purpose,
      about: session.fix ? codeAbout(session.fix, session.site) : undefined,
    });
  }
}

/** The real time until the next code may be sent. */
function remainingMs(err: LockedOut): number {
  return err.until.getTime() - Date.now();
}
