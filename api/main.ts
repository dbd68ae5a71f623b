import { loadConfig } from '../config';
import { createLogger } from '../observability/logger';
import { connectStore, disconnectStore } from '../store/connection';
import { connectTemporal } from '../temporal-config/client';
import { createApi } from './app';

// The API process: connects to MongoDB and Temporal, serves HTTP and socket.io.

async function main() {
  const config = loadConfig();
  const base = createLogger('api', config.logLevel);
  // Several instances' lines tell which instance wrote them.
  const logger = config.api.instance ? base.child({ instance: config.api.instance }) : base;
  await connectStore(config.mongo.url);
  // Lazy: the API starts (and reports health) even while Temporal is down.
  const temporal = await connectTemporal({
    address: config.temporal.address,
    namespace: config.temporal.namespace,
    lazy: true,
  });
  const { http, close } = createApi({
    temporal: temporal.client,
    namespace: config.temporal.namespace,
    internalToken: config.internalToken,
    taskQueue: config.temporal.taskQueue,
    caseSettings: config.caseSettings,
    sessionMs: config.sessionMs,
    security: config.security,
    socket: config.socket,
    jwtSecret: config.jwtSecret,
    logger,
    instance: config.api.instance,
    secureCookies: config.portal.url.startsWith('https:'),
  });
  if (!config.internalToken) {
    logger.warn('INTERNAL_API_TOKEN is not set: the worker cannot reach devices through this API.');
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.api.port, config.api.host, resolve);
  });
  logger.info({ url: `http://${config.api.host}:${config.api.port}` }, 'API listening');

  const shutdown = async () => {
    await close();
    await temporal.close();
    await disconnectStore();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
