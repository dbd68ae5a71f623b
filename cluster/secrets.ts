import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

// What every API instance and worker of one cluster must share: the worker's service
// token, the portal's token signing secret, the payload codec key and the personal-data
// master key. Made once and kept in the cluster's directory, so a restart of the cluster
// still reads the data and the sessions it made before.

const Secrets = z.object({
  internalToken: z.string().min(32),
  jwtSecret: z.string().min(32),
  codecKeys: z.string().regex(/^[\w.-]+:[A-Za-z0-9+/=]+$/),
  piiMasterKey: z.string().min(40),
});
export type ClusterSecrets = z.infer<typeof Secrets>;

export function loadOrCreateSecrets(dir: string): ClusterSecrets {
  const file = path.join(dir, 'secrets.json');
  if (existsSync(file)) {
    const parsed = Secrets.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) {
      throw new Error(
        `${file} is damaged (${parsed.error.issues[0]?.message}): remove it to start afresh; data it encrypted is then unreadable.`,
      );
    }
    return parsed.data;
  }
  const secrets: ClusterSecrets = {
    internalToken: randomBytes(24).toString('base64url'),
    jwtSecret: randomBytes(32).toString('base64url'),
    codecKeys: `cluster-1:${randomBytes(32).toString('base64')}`,
    piiMasterKey: randomBytes(32).toString('base64'),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  return secrets;
}

/** The secrets as the product's environment reads them (config/index.ts). */
export function secretsEnv(secrets: ClusterSecrets): Record<string, string> {
  return {
    INTERNAL_API_TOKEN: secrets.internalToken,
    JWT_SECRET: secrets.jwtSecret,
    TEMPORAL_CODEC_KEYS: secrets.codecKeys,
    PII_MASTER_KEY: secrets.piiMasterKey,
  };
}
