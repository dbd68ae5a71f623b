import type { Restartable, Service } from '../temporal-config/process';
import type { PostgresServer } from './postgres';

// The production shape on one machine (`npm run cluster`, and the tests and benches that
// run at that shape): PostgreSQL under a real Temporal server and FerretDB, the Temporal UI,
// API instances and workers behind HAProxy.

export interface TemporalServerOptions {
  /** Config, dynamic config and logs go here. */
  dir: string;
  postgres: PostgresServer;
  /** The frontend's gRPC port; the server's other ports are taken free ones. */
  port: number;
  logFile: string;
}

export interface TemporalServer extends Restartable {
  /** host:port of the frontend. */
  address: string;
}

export interface ClusterOptions {
  /** Every part's data and log files; kept, so a second start reuses the data. */
  dir: string;
  /** HAProxy's front port (the one address boxes, the portal and webhooks use); free if unset. */
  port?: number;
  /** API instances and workers (2 and 2 unless set). */
  apis?: number;
  workers?: number;
  /** The Temporal UI and the portal (on for `npm run cluster`, off in tests). */
  ui?: boolean;
  /** More environment for the API instances and workers (case settings, rate limits). */
  env?: Record<string, string>;
  /** Fixed ports (`npm run cluster`); each one not given is a free one. */
  ports?: ClusterPorts;
  log?: (line: string) => void;
}

export interface ClusterPorts {
  postgres?: number;
  temporal?: number;
  temporalUi?: number;
  mongo?: number;
  /** The first API instance's; the next ones follow it (4000, 4001, ...). */
  api?: number;
  portal?: number;
  /** HAProxy's admin stats page. */
  stats?: number;
}

export interface Cluster {
  dir: string;
  /** http://127.0.0.1:<port>, HAProxy's front: the only address boxes, portals and the worker use. */
  url: string;
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  /** FerretDB on PostgreSQL, with the database name. */
  mongoUrl: string;
  /** The worker's service token (INTERNAL_API_TOKEN), for tests that speak the internal link. */
  internalToken: string;
  /**
   * The environment every API instance and worker shares (addresses, tokens and keys), for
   * more processes of the product against this cluster (a bench's own worker).
   */
  env: Record<string, string>;
  postgres: PostgresServer;
  temporal: TemporalServer;
  ferret: Restartable;
  /** Each API instance, and the address it serves on directly (behind HAProxy). */
  apis: { process: Restartable; url: string; name: string }[];
  workers: Restartable[];
  haproxy: Service;
  /** HAProxy's admin stats page (CSV at `;csv`). */
  statsUrl: string;
  /** The Temporal UI and the portal, when started. */
  uiUrl?: string;
  portalUrl?: string;
  stop(): Promise<void>;
}
