import type { CaseStatus, IssueCategory } from '../../contracts/case';
import type { ManualStep } from '../../workflows/messages';
import { explainFix, isPlain, shortFix, type FixFacts } from './words';

// Everything a caller hears, in plain words, built from typed facts of the case
// (status, issue category, fix id) and never from the workflow's progress text.

/** The case facts a closing message is made of. */
export interface ClosedFacts {
  status: CaseStatus;
  actionsTaken: readonly string[];
  instructions?: string;
  /** The caller was read a step on site during this call. */
  stepRead: boolean;
}

export const prompts = {
  unknownCaller:
    'Thank you for calling. This number is for Zen and Zen customers, and we could not match ' +
    'the number you are calling from to an account. Please call from the phone number on ' +
    'your account, or contact us through our website. Goodbye.',
  proactive: (business: string) =>
    `Hello ${business}, this is Zen and Zen network support. Your Zen box has noticed a ` +
    'problem on your network, and a support case is open.',
  greeting: (business: string) =>
    `Hello ${business}, this is Zen and Zen network support. ` +
    'One moment while I look at your network.',
  noDevice: 'We have no Zen box registered for your account yet, so I cannot open a case. Goodbye.',
  /** The subscription opens no case: its notice, spoken (the ampersand read as "and"). */
  notServed: (notice: string) =>
    `${notice.replace(/ & /g, ' and ')} Thank you for calling Zen and Zen. Goodbye.`,
  /** The keypad menu when the caller has several Zen boxes and none stands out. */
  chooseBox: (places: readonly string[]) =>
    `You have Zen boxes at ${places.length} places. Which one is this call about? ` +
    places.map((place, i) => `For ${place}, press ${i + 1}.`).join(' '),
  /** A box whose case was closed as fixed lately: is it still broken, or a new problem? */
  askStillBroken: (place?: string) =>
    `We recently fixed a problem${place ? ` at ${place}` : ''} and closed the case. ` +
    'If it is still not working, press 1, and a person from our team will take it on. ' +
    'For a new problem, press 2.',
  reopened: (named: boolean) =>
    'I am sorry it is still not working. I have reopened your case' +
    (named ? ', and a person from our team now has it and will contact you.' : ' for our team.') +
    ' Your Zen box is checking your network again meanwhile.',
  noChoice: 'I did not hear a choice. Please call again, or open a case in the portal. Goodbye.',
  opened: (joined: boolean, place?: string) => {
    const where = place ? ` for your Zen box at ${place}` : '';
    return joined
      ? `You already have an open support case${where}, and I have joined this call to it.`
      : `I have opened a support case${where} and your Zen box is checking the network now.`;
  },
  /** News of the case, said once per change of status; undefined when there is nothing to say. */
  status: (status: CaseStatus, before: CaseStatus | undefined): string | undefined => {
    switch (status) {
      case 'open':
      case 'diagnosing':
        return before === 'fixing' || before === 'verifying'
          ? 'That did not fix everything. Your Zen box is checking your network again.'
          : 'Your Zen box is checking your network now.';
      case 'fixing':
        return 'Your Zen box is carrying out the approved fix now.';
      case 'verifying':
        return 'The fix is done. Your Zen box is checking that your network works again.';
      case 'awaiting_approval':
        return 'A fix is waiting for approval. You can approve it in the portal.';
      case 'awaiting_customer':
        return 'Your case is waiting for a step on your side; the portal shows what to do.';
      default:
        return undefined;
    }
  },
  manualStep: (step: ManualStep) =>
    step.awaitsWord
      ? `You can fix this yourself. ${sentence(step.title)} ${step.because} ` +
        step.steps.map((s, i) => `Step ${i + 1}: ${s}`).join(' ') +
        ' When you have done it, press "I have done this" on your case in the portal, and your Zen box will check the network again.'
      : `Your Zen box cannot reach us right now. ${sentence(step.title)} ${step.because} ` +
        step.steps.map((s, i) => `Step ${i + 1}: ${s}`).join(' ') +
        ' Stay on the line if you like: I will tell you when your Zen box is back.',
  /** What is wrong, the fix, its risk and downtime, then the code: all before "press 1". */
  askCode: (category: IssueCategory, fix: FixFacts) =>
    `We have a fix ready. ${explainFix(category, fix)} ` +
    'To approve it, please key in the six digit code we just emailed you.',
  wrongCode: (left: number) =>
    `That code is not right. You have ${left} ${left === 1 ? 'try' : 'tries'} left. ` +
    'Please key in the code again.',
  expiredCode: 'That code has expired. I have emailed you a new one. Please key it in.',
  /** The fifth wrong guess kills the code; a fresh one needs a new call (or the portal). */
  codeDead:
    'That was too many wrong codes, so that code no longer works. ' +
    'You can approve the fix in the portal, or call again for a new code.',
  /** `remainingMs`: the real time until another code may be sent, when known. */
  tooManyCodes: (remainingMs?: number) =>
    `We have sent you several codes just now, so I cannot send another ${waitFor(remainingMs)}. ` +
    'You can still approve the fix in the portal.',
  askDecision: (fix: FixFacts) => `Press 1 to approve: ${shortFix(fix)}. Press 2 to decline.`,
  approved:
    'Thank you. The fix is approved and your Zen box is carrying it out now. ' +
    'Stay on the line to hear how it goes.',
  declined: 'Understood: the fix is declined. A technician will follow up on your case.',
  alreadyDecided: 'This fix was already decided in the portal.',
  notAccepted:
    'Your answer could not be accepted: the fix is no longer waiting for approval. ' +
    'The portal shows where your case stands.',
  noAnswer: 'I did not hear an answer. You can also approve the fix in the portal.',
  trouble:
    'I am sorry, something went wrong on our side. Your case carries on, and you can ' +
    'follow it and approve fixes in the portal.',
  closed: (facts: ClosedFacts) =>
    `${closedWords(facts)} Thank you for calling Zen and Zen. Goodbye.`,
  /** How the case ended, when the caller is asked to rate it next. */
  closedNews: (facts: ClosedFacts) => closedWords(facts),
  askRating:
    'Before you go: how did we do? Press a number from 1 to 5, where 1 is poor and 5 is excellent.',
  ratingAgain: 'Please press a number from 1 to 5, where 1 is poor and 5 is excellent.',
  ratingThanks: 'Thank you for your rating, and thank you for calling Zen and Zen. Goodbye.',
  /** The case was rated already (by email or in the portal): the first answer counts. */
  ratingAlready:
    'Thank you. We already have your rating for this case. Thank you for calling Zen and Zen. Goodbye.',
  ratingSkipped: 'Thank you for calling Zen and Zen. Goodbye.',
};

function closedWords({ status, actionsTaken, instructions, stepRead }: ClosedFacts): string {
  switch (status) {
    case 'resolved':
      if (actionsTaken.length > 0) {
        return 'Your case is resolved: the fix worked, and your Zen box has checked that your network works again.';
      }
      return stepRead
        ? 'Your case is resolved: your step fixed it, and your Zen box has checked that your network works again.'
        : 'Your case is resolved: your Zen box checked your network and found it working normally.';
    case 'escalated': {
      // The advisor's instructions are read only when they are plain words.
      const next =
        instructions && isPlain(instructions)
          ? sentence(instructions)
          : 'A technician will contact you.';
      return `Your case has been handed to a technician. ${next}`;
    }
    case 'not_fixable_remotely':
      return 'A technician found that the problem cannot be fixed from a distance, and will tell you what happens next.';
    default:
      return 'Your case is closed.';
  }
}

function waitFor(remainingMs: number | undefined): string {
  if (remainingMs === undefined || remainingMs <= 0) return 'for now';
  const minutes = Math.max(1, Math.ceil(remainingMs / 60_000));
  return `for about ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`;
}

/** Ends spoken text with exactly one full stop. */
function sentence(text: string): string {
  return `${text.replace(/[.\s]+$/, '')}.`;
}
