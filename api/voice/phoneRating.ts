import type { CaseStatus } from '../../contracts/case';
import { rateableCase, recordSatisfaction } from '../../store/satisfaction';
import type { ClientState } from './callEvents';
import type { CallSession } from './callSession';
import { prompts } from './prompts';

// How did we do, on the keypad: a case that closes (resolved, or not fixable from here) while
// the caller is still on asks for one digit, 1 to 5. Another key asks once more; silence
// says goodbye. A case rated already (by email, in the portal) is thanked, not stored again.

/** Cases that end with the question: a cancelled or unclaimed one does not. */
const ratedOnClose: readonly CaseStatus[] = ['resolved', 'not_fixable_remotely'];

/** The case document is written just after the close: this long, the call waits for it. */
const documentWaitMs = 10_000;

export interface PhoneRatingIo {
  say(session: CallSession, text: string, state?: ClientState): Promise<void>;
  gather(session: CallSession, text: string): Promise<void>;
}

export class PhoneRating {
  constructor(private readonly io: PhoneRatingIo) {}

  /**
   * Whether the closed case will be rated on this call: 'ask' once its document says it is
   * closed, 'wait' until then (bounded), 'no' for a case that is not rated.
   */
  async readiness(
    session: CallSession,
    caseId: string,
    status: CaseStatus,
  ): Promise<'ask' | 'wait' | 'no'> {
    if (!ratedOnClose.includes(status)) return 'no';
    session.rating ??= { caseId, tries: 0, closedSeenAt: Date.now() };
    if (await rateableCase(caseId, session.customerId)) return 'ask';
    return Date.now() - session.rating.closedSeenAt < documentWaitMs ? 'wait' : 'no';
  }

  async ask(session: CallSession): Promise<void> {
    session.phase = 'rate';
    await this.io.gather(session, prompts.askRating);
  }

  /** One gathered answer: a score is stored (once per case), anything else asks once more. */
  async answer(session: CallSession, digits: string, status: string | undefined): Promise<void> {
    const rating = session.rating;
    if (!rating) return;
    if (status === 'timeout' || !digits) return this.goodbye(session, prompts.ratingSkipped);
    const score = Number(digits);
    if (!(score >= 1 && score <= 5)) {
      rating.tries += 1;
      if (rating.tries >= 2) return this.goodbye(session, prompts.ratingSkipped);
      await this.io.gather(session, prompts.ratingAgain);
      return;
    }
    const outcome = await recordSatisfaction(rating.caseId, session.customerId, { score }, 'phone');
    await this.goodbye(
      session,
      outcome === 'recorded'
        ? prompts.ratingThanks
        : outcome === 'already'
          ? prompts.ratingAlready
          : prompts.ratingSkipped,
    );
  }

  /** A step of the rating failed: the call still ends politely. */
  failed(session: CallSession): Promise<void> {
    return this.goodbye(session, prompts.ratingSkipped);
  }

  private async goodbye(session: CallSession, text: string): Promise<void> {
    session.phase = 'closing';
    await this.io.say(session, text, { p: 'done' });
  }
}
