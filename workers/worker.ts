import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { ApiLink } from '../activities/apiLink';
import type { NotifierConfig } from '../activities/notifications';
import { TASK_QUEUE } from '../workflows/messages';
import { temporalDataConverter } from '../temporal-config/dataConverter';

// Builds the support-case worker; main.ts runs it as a process, tests run it in-process.

export interface WorkerDeps {
  connection: NativeConnection;
  namespace: string;
  /** The link to the API that holds the device sockets; its owner closes it after the worker stops. */
  api: ApiLink;
  taskQueue?: string;
  /** Where notifications go; the environment's (config/) when not given. */
  notifier?: NotifierConfig;
}

export async function createWorker(
  { connection, namespace, api, taskQueue = TASK_QUEUE, notifier }: WorkerDeps,
  options: Partial<WorkerOptions> = {},
): Promise<Worker> {
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    workflowsPath: require.resolve('../workflows'),
    activities: createActivities(api, notifier),
    dataConverter: temporalDataConverter(),
    ...options,
  });
}
