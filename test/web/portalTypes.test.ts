import {
  caseStatuses as portalStatuses,
  issueCategories as portalCategories,
  type Decision as PortalDecision,
  type DeviceSummary as PortalDevice,
  type ManualStep as PortalManualStep,
  type Proposal as PortalProposal,
} from '../../portal/shared/types/api';
import type { DeviceView } from '../../contracts/api';
import { caseStatuses, IssueCategory } from '../../contracts/case';
import type { Decision, ManualStep, Proposal } from '../../workflows/messages';

// The portal is built on its own and keeps its own copy of the shapes it reads
// (portal/shared/types/api.ts). This holds the copy to the contracts: a status,
// category or field the API adds or renames fails here, not in a customer's browser.

// Checked by the compiler (npm run lint): what the workflow sends fits what the portal reads.
type Fits<T extends U, U> = T;
export type ProposalFits = Fits<Omit<Proposal, 'reminded'>, PortalProposal>;
export type DecisionFits = Fits<Decision, PortalDecision>;
export type DeviceFits = Fits<DeviceView, PortalDevice>;
export type ManualStepFits = Fits<ManualStep, PortalManualStep>;

describe("the portal's copy of the API shapes", () => {
  it('lists the same case statuses and issue categories as the contracts', () => {
    expect([...portalStatuses]).toEqual([...caseStatuses]);
    expect([...portalCategories]).toEqual([...IssueCategory.options]);
  });
});
