import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import dynamicConfig from '../temporal-config/dynamic-config.json';
import { canListen, freePort } from '../temporal-config/process';
import type { PostgresServer } from './postgres';
import { temporalDatabases } from './temporalSchema';

// The real Temporal server's config (frontend, history, matching and worker in one process,
// on PostgreSQL), written as JSON, which the server's YAML loader reads as it is. The shape
// follows the module's own config/development-postgres12.yaml, with every port moved: the
// defaults (7233-7239, 6933-6939, 7936 pprof, 8000 metrics) would clash with a dev server or a
// second cluster on the same machine.

export const temporalEnvironment = 'cluster';

const services = ['frontend', 'history', 'matching', 'worker'] as const;
type ServiceName = (typeof services)[number];

const port = z.number().int().min(1).max(65_535);
const perService = (p: z.ZodNumber) =>
  z.object({ frontend: p, history: p, matching: p, worker: p });
const portsSchema = z.object({
  grpc: perService(port),
  // PostgreSQL's cluster_membership table keeps it as a SMALLINT: a port above 32767 stops the
  // server at start (freePort draws below that).
  membership: perService(port.max(32_767)),
  frontendHttp: port,
});

export type TemporalPorts = z.infer<typeof portsSchema>;

/**
 * The frontend's gRPC port as given; the others as the last start on this directory used them
 * (ports.json) when they are still free, else taken free now. Same ports matter: the server
 * finds its peers through the membership rows of earlier starts, and a start on new ports
 * waits ~35 s trying to join the old ones (seen here) before it serves.
 */
export async function temporalPorts(dir: string, frontendPort: number): Promise<TemporalPorts> {
  const file = path.join(dir, 'ports.json');
  const kept = readKeptPorts(file);
  if (kept && (await allFree(kept, frontendPort))) {
    return { ...kept, grpc: { ...kept.grpc, frontend: frontendPort } };
  }
  const pick = async (take: () => Promise<number>) => {
    const ports = {} as Record<ServiceName, number>;
    for (const service of services) ports[service] = await take();
    return ports;
  };
  const grpc = { ...(await pick(freePort)), frontend: frontendPort };
  const ports = {
    grpc,
    membership: await pick(freePort),
    frontendHttp: await freePort(),
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, JSON.stringify(ports, null, 2));
  return ports;
}

/** A file that is missing or not what we wrote is the same as none: new ports are taken. */
function readKeptPorts(file: string): TemporalPorts | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return portsSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return undefined;
  }
}

async function allFree(ports: TemporalPorts, frontendPort: number): Promise<boolean> {
  const others = [
    ...services.filter((s) => s !== 'frontend').map((s) => ports.grpc[s]),
    ...Object.values(ports.membership),
    ports.frontendHttp,
  ];
  if (others.includes(frontendPort)) return false;
  for (const candidate of others) if (!(await canListen(candidate))) return false;
  return true;
}

function datastore(postgres: PostgresServer, databaseName: string, maxConns: number) {
  return {
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `127.0.0.1:${postgres.port}`,
      connectProtocol: 'tcp',
      user: postgres.user,
      password: postgres.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  };
}

export function serverConfig(
  postgres: PostgresServer,
  ports: TemporalPorts,
  dynamicConfigFile: string,
) {
  const rpc = (service: ServiceName) => ({
    grpcPort: ports.grpc[service],
    membershipPort: ports.membership[service],
    bindOnLocalHost: true,
    ...(service === 'frontend' ? { httpPort: ports.frontendHttp } : {}),
  });
  return {
    // Warnings and errors only, one JSON object a line (the log file is stdout's).
    log: { stdout: true, level: 'warn', format: 'json' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      // Fixed for the life of the data: a store made with one count cannot change it.
      numHistoryShards: 4,
      datastores: {
        'postgres-default': datastore(postgres, temporalDatabases.persistence.name, 20),
        'postgres-visibility': datastore(postgres, temporalDatabases.visibility.name, 10),
      },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      // No pprof and no metrics listener: port 0 and no metrics section start neither.
      pprof: { port: 0 },
    },
    services: Object.fromEntries(services.map((service) => [service, { rpc: rpc(service) }])),
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `127.0.0.1:${ports.grpc.frontend}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: {
      archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    },
    // The server resolves a relative path against its working directory, not the config's.
    dynamicConfigClient: { filepath: dynamicConfigFile, pollInterval: '10s' },
  };
}

/** The dev server's dynamic config values (temporal-config/dynamic-config.json), in the file format. */
export function dynamicConfigFileContent() {
  return Object.fromEntries(
    Object.entries(dynamicConfig).map(([key, value]) => [key, [{ value }]]),
  );
}

/** Writes config/<environment>.yaml and the dynamic config under dir; returns the root for --root. */
export function writeServerConfig(dir: string, postgres: PostgresServer, ports: TemporalPorts) {
  const root = path.resolve(dir);
  const configDir = path.join(root, 'config');
  mkdirSync(configDir, { recursive: true });
  const dynamicConfigFile = path.join(configDir, 'dynamic-config.yaml');
  writeFileSync(dynamicConfigFile, JSON.stringify(dynamicConfigFileContent(), null, 2));
  // It holds the database password: its owner only.
  writeFileSync(
    path.join(configDir, `${temporalEnvironment}.yaml`),
    JSON.stringify(serverConfig(postgres, ports, dynamicConfigFile), null, 2),
    { mode: 0o600 },
  );
  return root;
}
