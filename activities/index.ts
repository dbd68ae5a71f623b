import { loadConfig } from '../config';
import { advise } from './advisor';
import type { ApiLink } from './apiLink';
import { createCaseStoreActivities, recordCase } from './caseStore';
import { createDeviceActivities } from './devices';
import { createNotificationActivities, type NotifierConfig } from './notifications';

// Every activity the supportCase and notifyPeople workflows can ask for.

export function createActivities(api: ApiLink, notifier: NotifierConfig = loadConfig().notifier) {
  return {
    recordCase,
    advise,
    ...createCaseStoreActivities(api),
    ...createDeviceActivities(api),
    ...createNotificationActivities(notifier),
  };
}

export type Activities = ReturnType<typeof createActivities>;
