import { NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig } from '../config';
import { createApiLink } from '../activities/apiLink';
import { createLogger, temporalLogger } from '../observability/logger';
import { connectStore, disconnectStore } from '../store/connection';
import { serveWorkerMetrics } from './metricsServer';
import { createWorker } from './worker';
import { connectTemporal } from '../temporal-config/client';
import { ensureHealthIndexes } from '../store/healthHistory';
import { ensureNamespaceRetention } from './namespaceRetention';
import { ensureHealthSchedules, ensureReportSchedule, ensureRetentionSchedule } from './schedules';

// The worker process: connects to Temporal and MongoDB, runs until SIGINT/SIGTERM.

async function main() {
  const config = loadConfig();
  const logger = createLogger('worker', config.logLevel);
  const sdkMetrics = `127.0.0.1:${config.worker.sdkMetricsPort}`;
  Runtime.install({
    // Activity and workflow log lines carry workflowId and runId; ours add caseId.
    // The SDK's DEBUG lines (every poll) only when asked for.
    logger: temporalLogger(logger),
    telemetryOptions: { metrics: { prometheus: { bindAddress: sdkMetrics } } },
  });
  if (!config.internalToken) {
    throw new Error(
      "INTERNAL_API_TOKEN must be set to the API's service token (npm start sets it).",
    );
  }
  // Up before the worker bundles its workflows, so a scrape does not fail while it starts.
  const metrics = await serveWorkerMetrics({
    host: config.worker.metricsHost,
    port: config.worker.metricsPort,
    sdkMetricsUrl: `http://${sdkMetrics}/metrics`,
    token: config.security.metricsToken,
  });
  await connectStore(config.mongo.url);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const api = createApiLink(config.api.url, config.internalToken, {
    onRefused: (message) => logger.error(`${message} (INTERNAL_API_TOKEN)`),
  });
  // The health sweep's, the monthly reports' and the retention run's schedules and indexes, and
  // the namespace's retention: made once, by whichever worker starts first.
  await ensureHealthIndexes();
  const temporal = await connectTemporal({
    address: config.temporal.address,
    namespace: config.temporal.namespace,
  });
  await ensureHealthSchedules(temporal.client, config.temporal.taskQueue);
  await ensureReportSchedule(temporal.client, config.temporal.taskQueue);
  await ensureRetentionSchedule(temporal.client, config.temporal.taskQueue);
  const historyRetention = await ensureNamespaceRetention(
    temporal.client,
    config.temporal.namespace,
    config.retention.closedCaseDays,
  );
  if (typeof historyRetention === 'object') {
    logger.warn(
      { namespace: config.temporal.namespace, error: historyRetention.refused },
      'could not set the namespace retention of closed workflows: set it on the server',
    );
  }
  await temporal.close();
  const worker = await createWorker({
    connection,
    namespace: config.temporal.namespace,
    api,
    taskQueue: config.temporal.taskQueue,
  });
  // At any level: the cluster and the tests wait for this line.
  logger.child({}, { level: 'info' }).info(
    {
      taskQueue: config.temporal.taskQueue,
      address: config.temporal.address,
      namespace: config.temporal.namespace,
      metrics: `http://127.0.0.1:${config.worker.metricsPort}/metrics`,
    },
    'worker polling',
  );
  // The SDK shuts down gracefully on SIGINT/SIGTERM: running activities finish first.
  await worker.run();
  api.close();
  metrics.close();
  await connection.close();
  await disconnectStore();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
