import { randomUUID } from 'node:crypto';

// Addresses of the servers the global setup started.

export function temporalAddress(): string {
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEMPORAL_ADDRESS is not set: run through jest (npm test)');
  return address;
}

export const temporalNamespace = () => process.env.TEMPORAL_NAMESPACE ?? 'zen';

/** Each test file gets a database of its own on the shared FerretDB. */
export function freshMongoUrl(label: string): string {
  const server = process.env.MONGO_TEST_SERVER;
  if (!server) throw new Error('MONGO_TEST_SERVER is not set: run through jest (npm test)');
  return `${server}/t_${label.replace(/\W/g, '_')}_${randomUUID().slice(0, 8)}`;
}
