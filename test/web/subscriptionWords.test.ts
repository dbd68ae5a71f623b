import {
  SubscriptionStatus,
  subscriptionRules,
  type CustomerView,
  type PartnerView,
  type PersonView,
  type SubscriptionView,
} from '../../contracts/tenancy';
import {
  subscriptionStatuses,
  type CustomerView as PortalCustomer,
  type PartnerView as PortalPartner,
  type PersonView as PortalPerson,
  type SessionInfo,
} from '../../portal/shared/types/api';
import { casesRefusedBecause, SUBSCRIPTION_WORDS } from '../../portal/app/utils/subscription';

// The console explains each subscription status in its own words; what customers are told,
// and whether cases open, must be exactly what the API enforces (contracts/tenancy.ts).

// Checked by the compiler: the console's answers fit the portal's copy of their shapes.
type Fits<T extends U, U> = T;
export type CustomerFits = Fits<CustomerView, PortalCustomer>;
export type PersonFits = Fits<PersonView, PortalPerson>;
export type PartnerFits = Fits<PartnerView, PortalPartner>;
export type SubscriptionFits = Fits<SubscriptionView, NonNullable<SessionInfo['subscription']>>;

describe('subscription words in the portal', () => {
  it('knows every status the API has, and no other', () => {
    expect([...subscriptionStatuses]).toEqual(SubscriptionStatus.options);
    expect(Object.keys(SUBSCRIPTION_WORDS).sort()).toEqual([...SubscriptionStatus.options].sort());
  });

  it.each(SubscriptionStatus.options)(
    '%s: the same notice and the same rule on cases',
    (status) => {
      expect(SUBSCRIPTION_WORDS[status].notice).toBe(subscriptionRules[status].notice);
      expect(SUBSCRIPTION_WORDS[status].opensCases).toBe(subscriptionRules[status].opensCases);
    },
  );

  it('says why no case opens only when none can', () => {
    for (const status of SubscriptionStatus.options) {
      const refused = casesRefusedBecause({ status, notice: subscriptionRules[status].notice });
      expect(refused).toBe(
        subscriptionRules[status].opensCases ? undefined : subscriptionRules[status].notice,
      );
    }
    expect(casesRefusedBecause(undefined)).toBeUndefined();
  });
});
