import type { NotificationEvent } from '../contracts/notifications';
import type { ProbeTarget } from '../contracts/monitor';

// What people read and hear: plain English, no internal names or ids. One subject and
// body for email and Slack, one short text for SMS and PagerDuty's summary.

export interface Words {
  subject: string;
  text: string;
  /** For SMS (one or two segments) and PagerDuty's summary. */
  short: string;
  /** The email's HTML part, when it has links to press (the rating ask). */
  html?: string;
}

export interface Context {
  /** The business, e.g. "Bayside Dental". */
  businessName?: string;
  /** Where the box sits, e.g. "Front office". */
  place?: string;
  /** The case's page in the portal. */
  caseUrl?: string;
  /** The support line: "call it and press 1". */
  supportNumber: string;
  /** A closed case's rating links, for the scores 1 to 5 (customers' emails only). */
  ratingLinks?: readonly string[];
}

const targetWords: Record<ProbeTarget, string> = {
  gateway: 'the router',
  dns: 'looking up websites (DNS)',
  internet: 'the internet',
  http: 'websites',
};

export function wordsFor(event: NotificationEvent, ctx: Context): Words {
  const words = wordsOfEvent(event, ctx);
  return event.facts.askRating && ctx.ratingLinks?.length === scoreWords.length
    ? withRatingAsk(words, ctx.ratingLinks)
    : words;
}

/** What each score means, 1 to 5: said beside each rating link. */
export const scoreWords = ['poor', 'fair', 'good', 'very good', 'excellent'] as const;

const ratingAsk = 'How did we do? Choose a score from 1 (poor) to 5 (excellent):';

/** The email ends with the question and one link per score. */
function withRatingAsk(words: Words, links: readonly string[]): Words {
  const lines = links.map((url, i) => `${i + 1} (${scoreWords[i]}): ${url}`);
  const paragraphs = words.text.split('\n\n').map((p) => `<p>${escapeHtml(p)}</p>`);
  const buttons = links
    .map((url, i) => `<a href="${escapeHtml(url)}">${i + 1} (${scoreWords[i]})</a>`)
    .join(' &nbsp; ');
  return {
    ...words,
    text: `${words.text}\n\n${ratingAsk}\n${lines.join('\n')}`,
    html: [...paragraphs, `<p>${escapeHtml(ratingAsk)}</p>`, `<p>${buttons}</p>`].join('\n'),
  };
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

function wordsOfEvent(event: NotificationEvent, ctx: Context): Words {
  const f = event.facts;
  const box = ctx.place ? `the Zen box in ${ctx.place}` : 'your Zen box';
  const Box = box[0]!.toUpperCase() + box.slice(1);
  const at = ctx.businessName ? ` at ${ctx.businessName}` : '';
  const link = ctx.caseUrl ? `\n\nSee the case: ${ctx.caseUrl}` : '';
  const fix = f.fixTitle ? `"${f.fixTitle}"` : 'A fix';
  switch (event.type) {
    case 'approval_waiting':
    case 'approval_reminder': {
      const reminder = event.type === 'approval_reminder';
      const ask = ctx.caseUrl
        ? `Approve or decline it here: ${ctx.caseUrl}, or call ${ctx.supportNumber} and press 1.`
        : `Call ${ctx.supportNumber} and press 1 to approve it.`;
      const details = [
        f.diagnosis && `What we found: ${f.diagnosis}`,
        f.downtime && `Expected downtime: ${f.downtime}.`,
        f.risk && `Risk: ${f.risk}.`,
      ].filter(Boolean);
      return {
        subject: `${reminder ? 'Reminder: a' : 'A'} fix for your network is waiting for your approval`,
        text: [
          `${reminder ? 'Reminder: ' : ''}${fix} is ready for ${box}${at}, and nothing changes until you approve it.`,
          ...details,
          ask,
        ].join('\n\n'),
        short: `Zen & Zen: ${reminder ? 'reminder, ' : ''}${fix} waits for your approval. ${ask}`,
      };
    }
    case 'case_resolved': {
      if (f.fixed === false) {
        const found = f.diagnosis ? ` ${f.diagnosis}` : '';
        return {
          subject: 'We checked your network: nothing needed fixing',
          text: `The checks of ${box}${at} found nothing wrong, so nothing was changed.${found} If something still does not work, tell us on the case page.${link}`,
          short: `Zen & Zen: we checked your network and found nothing wrong. If something still does not work, tell us on the case page.`,
        };
      }
      const took =
        f.durationMinutes === undefined ? '' : ` It took ${durationWords(f.durationMinutes)}.`;
      const done = f.whatWasDone ? ` What we did: ${f.whatWasDone}.` : '';
      return {
        subject: 'Your network problem is fixed',
        text: `The problem ${box}${at} reported is fixed and checked.${done}${took}${link}`,
        short: `Zen & Zen: your network problem is fixed.${done}${took}`,
      };
    }
    case 'case_escalated': {
      const why = f.diagnosis ? ` What we know: ${f.diagnosis}` : '';
      return {
        subject: 'A technician is taking over your network problem',
        text: `We could not fix the problem ${box}${at} reported on our own, so a technician is taking over and will contact you.${why}${link}`,
        short: `Zen & Zen: a technician is taking over your network problem and will contact you.`,
      };
    }
    case 'case_taken_over':
      return {
        subject: `A technician took over the case${at}`,
        text: `A technician took over the case of ${box}${at}.${link}`,
        short: `Taken over: the case of ${box}${at}.`,
      };
    case 'case_not_fixable_remotely': {
      const why = f.message ? ` ${f.message}` : '';
      return {
        subject: 'Your network problem needs more than we can do from here',
        text: `A technician looked at the problem ${box}${at} reported: it cannot be fixed from here.${why}${link}`,
        short: `Zen & Zen: your network problem cannot be fixed from here.${why}`.slice(0, 300),
      };
    }
    case 'technician_message':
      return {
        subject: 'A message from your Zen & Zen technician',
        text: `${f.message ?? 'Your technician wrote on your case.'}${link}`,
        short: `Zen & Zen technician: ${f.message ?? 'see your case'}`.slice(0, 300),
      };
    case 'sla_breached': {
      const what =
        f.slaKind === 'first_response'
          ? 'nobody has taken it within its first-response time'
          : 'it is still open past its resolution time';
      return {
        subject: `Service level missed on the case${at}`,
        text: `The case of ${box}${at}: ${what}.${link}`,
        short: `Service level missed${at}: ${what}.`,
      };
    }
    case 'box_offline': {
      const minutes =
        f.minutesOffline === undefined ? '' : ` for ${durationWords(f.minutesOffline)}`;
      return {
        subject: `${Box} is offline`,
        text: `${Box}${at} has not been in touch${minutes}. Check that it has power and that its cable is plugged in. We will tell you when it is back.`,
        short: `Zen & Zen: ${box} has been offline${minutes}. Check its power and cable.`,
      };
    }
    case 'box_online':
      return {
        subject: `${Box} is back online`,
        text: `${Box}${at} is back online.`,
        short: `Zen & Zen: ${box} is back online.`,
      };
    case 'internet_down': {
      const failing = f.failing?.length
        ? ` Not working: ${listWords(f.failing.map((t) => targetWords[t]))}.`
        : '';
      return {
        subject: `The internet is down${at}`,
        text: `${Box} sees the internet down${at}.${failing} We are looking into it.${link}`,
        short: `Zen & Zen: the internet is down${at}.${failing} We are looking into it.`,
      };
    }
    case 'internet_recovered': {
      const lasted = f.since
        ? ` It was down for ${durationWords(minutesSince(f.since, event.at))}.`
        : '';
      return {
        subject: `The internet is back${at}`,
        text: `${Box} sees the internet working again${at}.${lasted}`,
        short: `Zen & Zen: the internet is back${at}.${lasted}`,
      };
    }
  }
}

/** What an event was about, in a few words (the audit trail's notes). */
export const eventWords: Record<NotificationEvent['type'], string> = {
  approval_waiting: 'A fix waits for approval',
  approval_reminder: 'Reminder: a fix waits for approval',
  case_resolved: 'Problem fixed',
  case_escalated: 'A technician takes over',
  case_taken_over: 'A technician took the case',
  case_not_fixable_remotely: 'Cannot be fixed from here',
  technician_message: 'A message from the technician',
  sla_breached: 'Service level missed',
  box_offline: 'Zen box offline',
  box_online: 'Zen box back online',
  internet_down: 'Internet down',
  internet_recovered: 'Internet back',
};

/** A delivery that failed, or whose fate is unknown, told to operators. */
export function failureWords(
  outcome: 'failed' | 'unconfirmed',
  channel: string,
  maskedTo: string,
  what: string,
  error: string,
): string {
  return outcome === 'failed'
    ? `Notification not delivered: ${channel} to ${maskedTo} ("${what}") failed after retries: ${error}`
    : `Notification may not have arrived: ${channel} to ${maskedTo} ("${what}"). The worker stopped during the send, so it was not sent again: ${error}`;
}

export function durationWords(minutes: number): string {
  const m = Math.round(minutes);
  if (m < 1) return 'less than a minute';
  if (m < 60) return m === 1 ? '1 minute' : `${m} minutes`;
  const h = Math.floor(m / 60);
  const rest = m % 60;
  const hours = h === 1 ? '1 hour' : `${h} hours`;
  return rest ? `${hours} ${rest} ${rest === 1 ? 'minute' : 'minutes'}` : hours;
}

function minutesSince(since: string, until: string): number {
  return Math.max(0, (Date.parse(until) - Date.parse(since)) / 60_000);
}

function listWords(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** A recipient as the audit trail shows it: enough to recognise, not to reuse. */
export function maskRecipient(to: string): string {
  const at = to.indexOf('@');
  if (at > 0) return `${to[0]}***${to.slice(at)}`;
  if (/^\+\d+$/.test(to)) return `${to.slice(0, 2)}******${to.slice(-2)}`;
  return to;
}
