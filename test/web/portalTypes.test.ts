import {
  caseStatuses as portalStatuses,
  issueCategories as portalCategories,
  type Decision as PortalDecision,
  type Proposal as PortalProposal,
} from '../../portal/shared/types/api';
import { caseStatuses, IssueCategory } from '../../contracts/case';
import type { Decision, Proposal } from '../../workflows/messages';

// The portal is built on its own and keeps its own copy of the shapes it reads
// (portal/shared/types/api.ts). This holds the copy to the contracts: a status,
// category or field the API adds or renames fails here, not in a customer's browser.

describe("the portal's copy of the API shapes", () => {
  it('lists the same case statuses and issue categories as the contracts', () => {
    expect([...portalStatuses]).toEqual([...caseStatuses]);
    expect([...portalCategories]).toEqual([...IssueCategory.options]);
  });

  it('reads proposals and decisions as the workflow sends them (checked when compiling)', () => {
    const fromWorkflow: [PortalProposal, PortalDecision] = [
      {} as Omit<Proposal, 'reminded'>,
      {} as Decision,
    ];
    void fromWorkflow;
  });
});
