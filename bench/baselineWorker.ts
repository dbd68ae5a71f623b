import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { loadConfig } from '../config';
import { temporalDataConverter } from '../temporal-config/dataConverter';
import { createLogger, temporalLogger } from '../observability/logger';

// The worker process of the bench's baseline workflow: its own task queue, activities that do nothing.

async function main() {
  const config = loadConfig();
  const logger = createLogger('baseline-worker', config.logLevel);
  Runtime.install({ logger: temporalLogger(logger) });
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowsPath: require.resolve('./baselineWorkflow'),
    activities: { nothing: async () => undefined },
    dataConverter: temporalDataConverter(config.temporal.codecKeys),
  });
  // At any level, as the product's worker: startNodeWorker waits for this line.
  logger
    .child({}, { level: 'info' })
    .info({ taskQueue: config.temporal.taskQueue }, 'worker polling');
  await worker.run();
  await connection.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
