import { advise } from './advisor';
import type { ApiLink } from './apiLink';
import { createCaseStoreActivities, recordCase } from './caseStore';
import { createDeviceActivities } from './devices';

// Every activity the supportCase workflow can ask for.

export function createActivities(api: ApiLink) {
  return {
    recordCase,
    advise,
    ...createCaseStoreActivities(api),
    ...createDeviceActivities(api),
  };
}

export type Activities = ReturnType<typeof createActivities>;
