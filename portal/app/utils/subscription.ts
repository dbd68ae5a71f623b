// Relative, not #shared: jest reads this file too.
import type { SubscriptionStatus } from '../../shared/types/api';

// What each subscription status means, in words for the console. The notices are the ones
// the API gives customers (contracts/tenancy.ts subscriptionRules); a test holds them equal.

export interface SubscriptionWords {
  label: string;
  /** What the status does to the service, for the operator choosing it. */
  meaning: string;
  /** What the customer's people are told on every page; absent when nothing needs saying. */
  notice?: string;
  tone: 'good' | 'working' | 'bad';
  /** New support cases open (portal, phone, or the box noticing). */
  opensCases: boolean;
}

const billing = 'Please call Zen & Zen on our support number or reply to our last invoice email';

export const SUBSCRIPTION_WORDS: Record<SubscriptionStatus, SubscriptionWords> = {
  trial: {
    label: 'Trial',
    meaning: 'Full service while they try it: cases open and the box watches the network.',
    tone: 'good',
    opensCases: true,
  },
  active: {
    label: 'Active',
    meaning: 'Full service: cases open and the box watches the network.',
    tone: 'good',
    opensCases: true,
  },
  past_due: {
    label: 'Payment overdue',
    meaning: 'Full service for now; their people see a reminder to pay on every page.',
    notice: `Your last payment has not reached us. Service continues for now. ${billing}.`,
    tone: 'working',
    opensCases: true,
  },
  suspended: {
    label: 'Paused',
    meaning:
      'The box keeps watching the network, but no new case opens; the portal and the phone tell them why and what to do.',
    notice: `Your Zen & Zen service is paused, so we cannot open a new support case. Your Zen box keeps watching your network. ${billing} to resume service.`,
    tone: 'bad',
    opensCases: false,
  },
  cancelled: {
    label: 'Cancelled',
    meaning:
      'Nothing opens and the box no longer watches; their people can still sign in to read and export.',
    notice: `Your Zen & Zen service has ended, so we cannot open a new support case. ${billing} to start again.`,
    tone: 'bad',
    opensCases: false,
  },
};

export function subscriptionLabel(status: SubscriptionStatus): string {
  return SUBSCRIPTION_WORDS[status]?.label ?? 'Unknown';
}

/** The sentence that says why no case can open now; undefined when cases open. */
export function casesRefusedBecause(
  subscription: { status: SubscriptionStatus; notice?: string } | undefined,
): string | undefined {
  if (!subscription || SUBSCRIPTION_WORDS[subscription.status]?.opensCases !== false) return;
  return subscription.notice ?? SUBSCRIPTION_WORDS[subscription.status].notice;
}
