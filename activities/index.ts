import { loadConfig } from '../config';
import { advise } from './advisor';
import type { ApiLink } from './apiLink';
import { createCaseStoreActivities, recordCase } from './caseStore';
import { createDeviceActivities } from './devices';
import { createHealthSweepActivities } from './healthSweep';
import { createMonthlyReportActivities } from './monthlyReports';
import { createNotificationActivities, type NotifierConfig } from './notifications';
import { createRetentionActivities, type RetentionSettings } from './retention';
import type { OfflineSettings } from '../api/monitoring/offline';

// Every activity the supportCase and notifyPeople workflows, the health schedules, the
// monthly reports and the daily retention run can ask for.

export function createActivities(
  api: ApiLink,
  notifier: NotifierConfig = loadConfig().notifier,
  offline: OfflineSettings = loadConfig().offline,
  retention: RetentionSettings = loadConfig().retention,
) {
  return {
    recordCase,
    advise,
    ...createCaseStoreActivities(api),
    ...createDeviceActivities(api),
    ...createHealthSweepActivities(offline),
    ...createNotificationActivities(notifier, api),
    ...createMonthlyReportActivities(notifier),
    ...createRetentionActivities(retention),
  };
}

export type Activities = ReturnType<typeof createActivities>;
