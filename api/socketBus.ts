import { createAdapter } from '@socket.io/postgres-adapter';
import pg from 'pg';
import type { Server as SocketServer } from 'socket.io';
import type { Logger } from '../observability/logger';

// Several API instances share socket.io's rooms through PostgreSQL, which the production
// stack already runs for Temporal (README "Several API instances"): the official adapter
// sends each room emit, fetchSockets and disconnectSockets to every instance with
// LISTEN/NOTIFY, and payloads over NOTIFY's 8000 bytes through a table. Without a bus
// URL the in-memory adapter stays, as one instance needs.

/** Large payloads wait here for the other instances; the adapter deletes them after 30 s. */
const attachmentsTable = 'socket_io_attachments';

/**
 * An instance that stops sending for heartbeatTimeoutMs counts as gone (a kill -9 sends no
 * goodbye): until then a fetchSockets waits for its answer, for requestTimeoutMs at most.
 * The request timeout stays under the worker's 5 s wait for a push's acknowledgement
 * (activities/apiLink.ts), so a push answers with a clear error instead of timing out.
 */
export const busTimings = {
  heartbeatIntervalMs: 2_000,
  heartbeatTimeoutMs: 8_000,
  requestTimeoutMs: 3_000,
} as const;

/** How often the attachments table is tried again while PostgreSQL is away at start. */
const setupRetryMs = 2_000;

export interface SocketBus {
  /** Listening for the other instances and able to publish to them. */
  connected(): Promise<boolean>;
  /** After io.close(): ends the pool. */
  close(): Promise<void>;
}

/**
 * onResumed runs when this instance hears the others again after its listener was lost (a
 * PostgreSQL restart): NOTIFY keeps nothing for an absent listener, so whatever the others
 * sent meanwhile is gone, and this instance's clients should read their state again.
 */
export function attachSocketBus(
  io: SocketServer,
  url: string,
  logger: Logger,
  onResumed: () => void,
): SocketBus {
  const pool = new pg.Pool({
    connectionString: url,
    max: 8,
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle connection that PostgreSQL cut (a restart): the pool drops it; this only tells.
  pool.on('error', (err) => logger.warn({ err }, 'socket bus: a PostgreSQL connection dropped'));

  // The adapter's one long-held connection, which LISTENs. pg emits 'error' on a checked-out
  // client that lost its server, and nobody else listens for it: unheard, it would end the
  // process. Released with the error, the pool discards it; the adapter hears it end and
  // listens again on a new connection.
  let listener: pg.PoolClient | undefined;
  let listenedBefore = false;
  const adapterPool = {
    query: pool.query.bind(pool),
    async connect(): Promise<pg.PoolClient> {
      const client = await pool.connect();
      listener = client;
      // The adapter LISTENs on the client after this returns; its first notification (every
      // instance, this one too, beats every heartbeatIntervalMs) says the LISTENs hold.
      if (listenedBefore) {
        client.once('notification', () => {
          logger.info('socket bus: hearing the other instances again; clients read again');
          onResumed();
        });
      }
      listenedBefore = true;
      client.on('error', (err) => {
        logger.warn({ err }, 'socket bus: lost its PostgreSQL listener; listening again');
        if (listener === client) listener = undefined;
        try {
          client.release(err);
        } catch {
          // Already released (the adapter closed it): nothing is held.
        }
      });
      client.on('end', () => {
        if (listener === client) listener = undefined;
      });
      return client;
    },
  };

  io.adapter(
    // The adapter uses only query() and connect() of its pool.
    createAdapter(adapterPool as unknown as pg.Pool, {
      tableName: attachmentsTable,
      heartbeatInterval: busTimings.heartbeatIntervalMs,
      heartbeatTimeout: busTimings.heartbeatTimeoutMs,
      errorHandler: (err) => logger.warn({ err }, 'socket bus: a message was not passed on'),
    }),
  );

  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  const createTable = async () => {
    try {
      await ensureAttachmentsTable(pool);
    } catch (err) {
      if (closed) return;
      logger.warn({ err }, 'socket bus: its table could not be created yet; trying again');
      retry = setTimeout(() => void createTable(), setupRetryMs);
      retry.unref();
    }
  };
  void createTable();

  return {
    async connected() {
      if (!listener) return false;
      try {
        await withTimeout(pool.query('SELECT 1'), 2_000);
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      await pool.end();
    },
  };
}

/** The adapter's table for large payloads; several instances may start at once. */
async function ensureAttachmentsTable(pool: pg.Pool): Promise<void> {
  try {
    await pool.query(
      `CREATE TABLE IF NOT EXISTS ${attachmentsTable} (
         id bigserial UNIQUE,
         created_at timestamptz DEFAULT now(),
         payload bytea
       )`,
    );
  } catch (err) {
    // Another instance created it in the same moment (IF NOT EXISTS is not atomic).
    const code = (err as { code?: string }).code;
    if (code !== '23505' && code !== '42P07') throw err;
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
