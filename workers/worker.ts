import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import * as activities from '../activities';
import { TASK_QUEUE } from '../workflows/messages';

// Builds the support-case worker; main.ts runs it as a process, tests run it in-process.

export async function createWorker(
  connection: NativeConnection,
  namespace: string,
  options: Partial<WorkerOptions> = {},
): Promise<Worker> {
  return Worker.create({
    connection,
    namespace,
    taskQueue: TASK_QUEUE,
    workflowsPath: require.resolve('../workflows'),
    activities,
    ...options,
  });
}
