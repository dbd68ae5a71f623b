import {
  caseStatuses as portalStatuses,
  issueCategories as portalCategories,
  type Decision as PortalDecision,
  type DeviceSummary as PortalDevice,
  type ManualStep as PortalManualStep,
  type Proposal as PortalProposal,
  notificationEvents as portalEvents,
  urgentEvents as portalUrgentEvents,
  contactChannels as portalChannels,
  type DeviceHistory as PortalDeviceHistory,
  type OutageList as PortalOutageList,
  type NotificationSettings as PortalNotificationSettings,
  resolutionCodes as portalResolutionCodes,
  unfixableReasons as portalUnfixableReasons,
  noteVisibilities as portalNoteVisibilities,
  checkIds as portalCheckIds,
  type TechnicianPhase as PortalTechnicianPhase,
  type CaseSla as PortalCaseSla,
  type FixesResponse as PortalFixesResponse,
  kpiOutcomes as portalKpiOutcomes,
  type KpiReport as PortalKpiReport,
} from '../../portal/shared/types/api';
import type { FixesResponse } from '../../api/routes/fixes';
import type { SlaDue } from '../../api/slaDue';
import type { SlaDue as PortalSlaDue } from '../../portal/shared/types/api';
import { checkNames } from '../../contracts/checks';
import { NoteVisibility, ResolutionCode, UnfixableReason } from '../../contracts/technician';
import { kpiOutcomes, type KpiReport } from '../../contracts/kpi';
import type { DeviceHistory, OutageList } from '../../contracts/monitor';
import {
  CustomerChannel,
  CustomerEventType,
  urgentEvents,
  type NotificationSettings,
} from '../../contracts/notifications';
import type { DeviceView } from '../../contracts/api';
import { caseStatuses, IssueCategory } from '../../contracts/case';
import type {
  CaseState,
  Decision,
  ManualStep,
  Proposal,
  TechnicianPhase,
} from '../../workflows/messages';

// The portal is built on its own and keeps its own copy of the shapes it reads
// (portal/shared/types/api.ts). This holds the copy to the contracts: a status,
// category or field the API adds or renames fails here, not in a customer's browser.

// Checked by the compiler (npm run lint): what the workflow sends fits what the portal reads.
type Fits<T extends U, U> = T;
export type ProposalFits = Fits<Omit<Proposal, 'reminded'>, PortalProposal>;
export type DecisionFits = Fits<Decision, PortalDecision>;
export type DeviceFits = Fits<DeviceView, PortalDevice>;
export type ManualStepFits = Fits<ManualStep, PortalManualStep>;
export type HistoryFits = Fits<DeviceHistory, PortalDeviceHistory>;
export type OutagesFits = Fits<OutageList, PortalOutageList>;
export type TechnicianFits = Fits<TechnicianPhase, PortalTechnicianPhase>;
export type SlaFits = Fits<NonNullable<CaseState['sla']>, PortalCaseSla>;
export type SlaDueFits = Fits<SlaDue, PortalSlaDue>;
export type FixesFit = Fits<FixesResponse, PortalFixesResponse>;
// Both ways: the page reads the settings and sends them back.
export type SettingsFit = Fits<NotificationSettings, PortalNotificationSettings>;
export type SettingsFitBack = Fits<PortalNotificationSettings, NotificationSettings>;
export type KpiReportFits = Fits<KpiReport, PortalKpiReport>;

describe("the portal's copy of the API shapes", () => {
  it('lists the same case statuses and issue categories as the contracts', () => {
    expect([...portalStatuses]).toEqual([...caseStatuses]);
    expect([...portalCategories]).toEqual([...IssueCategory.options]);
  });

  it('lists the same notification events, urgent events and channels as the contracts', () => {
    expect([...portalEvents]).toEqual([...CustomerEventType.options]);
    expect([...portalUrgentEvents]).toEqual([...urgentEvents]);
    expect([...portalChannels]).toEqual([...CustomerChannel.options]);
  });

  it('lists the same resolution codes, reasons, note visibilities and checks as the contracts', () => {
    expect([...portalResolutionCodes]).toEqual([...ResolutionCode.options]);
    expect([...portalUnfixableReasons]).toEqual([...UnfixableReason.options]);
    expect([...portalNoteVisibilities]).toEqual([...NoteVisibility.options]);
    expect([...portalCheckIds]).toEqual([...checkNames]);
  });

  it('lists the same case outcomes for the numbers as the contracts', () => {
    expect([...portalKpiOutcomes]).toEqual([...kpiOutcomes]);
  });
});
