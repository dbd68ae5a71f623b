import { DefaultLogger, type LogEntry, type LogLevel } from '@temporalio/worker';
import pino, { type Logger } from 'pino';

// JSON logs on stdout, one line per event. Every line about a case carries
// `caseId` (and `workflowId` where known) so the API's, the worker's and the
// agent's lines about one case can be read together.

export type { Logger };

export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Tokens and codes never reach the logs, wherever they appear in a logged object.
    redact: {
      paths: ['token', 'code', 'authorization', '*.token', '*.code', '*.authorization'],
      censor: '[redacted]',
    },
  });
}

const pinoLevel: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

// The bundler logs webpack's whole report at INFO when the worker starts.
const webpackReport = /webpack [\d.]+ compiled/;

/** The SDK level that lets through what the pino level does (pino's `silent` too: errors only). */
const sdkLevel: Record<string, LogLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
};

/**
 * The Temporal SDK's logger (worker, workflow and activity logs) writing through pino, at
 * pino's level: a line pino would drop is not built (every case step logs at info).
 */
export function temporalLogger(logger: Logger): DefaultLogger {
  return new DefaultLogger(sdkLevel[logger.level] ?? 'ERROR', (entry: LogEntry) => {
    const to = webpackReport.test(entry.message) ? 'debug' : pinoLevel[entry.level];
    logger[to]({ ...entry.meta }, entry.message);
  });
}
