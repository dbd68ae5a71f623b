import { advise } from './advisor';
import type { ApiLink } from './apiLink';
import { createCaseStoreActivities, recordCase } from './caseStore';
import { createDeviceActivities } from './devices';
import { createHealthSweepActivities } from './healthSweep';
import type { OfflineSettings } from '../api/monitoring/offline';
import { loadConfig } from '../config';

// Every activity the supportCase workflow and the health schedules can ask for.

export function createActivities(api: ApiLink, offline: OfflineSettings = loadConfig().offline) {
  return {
    recordCase,
    advise,
    ...createCaseStoreActivities(api),
    ...createDeviceActivities(api),
    ...createHealthSweepActivities(offline),
  };
}

export type Activities = ReturnType<typeof createActivities>;
