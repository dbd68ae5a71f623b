import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createApiLink } from '../activities/apiLink';
import { TASK_QUEUE } from '../workflows/messages';

// Builds the support-case worker; main.ts runs it as a process, tests run it in-process.

export interface WorkerDeps {
  connection: NativeConnection;
  namespace: string;
  /** The API that holds the device sockets, and the service token it expects. */
  apiUrl: string;
  internalToken: string;
  taskQueue?: string;
}

export async function createWorker(
  { connection, namespace, apiUrl, internalToken, taskQueue = TASK_QUEUE }: WorkerDeps,
  options: Partial<WorkerOptions> = {},
): Promise<Worker> {
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    workflowsPath: require.resolve('../workflows'),
    activities: createActivities(createApiLink(apiUrl, internalToken)),
    ...options,
  });
}
