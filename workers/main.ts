import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig } from '../config';
import { connectStore, disconnectStore } from '../store/connection';
import { createWorker } from './worker';

// The worker process: connects to Temporal and MongoDB, runs until SIGINT/SIGTERM.

async function main() {
  const config = loadConfig();
  // The SDK's INFO level includes the whole webpack report; keep it for debugging.
  const verbose = config.logLevel === 'debug' || config.logLevel === 'trace';
  Runtime.install({ logger: new DefaultLogger(verbose ? 'DEBUG' : 'WARN') });
  if (!config.internalToken) {
    throw new Error(
      "INTERNAL_API_TOKEN must be set to the API's service token (npm start sets it).",
    );
  }
  await connectStore(config.mongo.url);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await createWorker({
    connection,
    namespace: config.temporal.namespace,
    apiUrl: config.api.url,
    internalToken: config.internalToken,
    taskQueue: config.temporal.taskQueue,
  });
  console.log(
    `worker polling task queue ${config.temporal.taskQueue} on ${config.temporal.address} (namespace ${config.temporal.namespace})`,
  );
  // The SDK shuts down gracefully on SIGINT/SIGTERM: running activities finish first.
  await worker.run();
  await connection.close();
  await disconnectStore();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
