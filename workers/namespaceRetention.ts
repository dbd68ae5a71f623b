import type { Client } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';

// Temporal keeps a closed workflow's history (every step of a case, with what the customer
// said) for the namespace's retention. It is set to the closed cases' own retention, so the
// Temporal UI and MongoDB forget a case at about the same time (config RETENTION_CLOSED_CASE_DAYS).

const dayS = 24 * 3600;

/** The namespace's retention in whole days. */
export async function namespaceRetentionDays(client: Client, namespace: string): Promise<number> {
  const { config } = await client.workflowService.describeNamespace({ namespace });
  return Number(config?.workflowExecutionRetentionTtl?.seconds ?? 0) / dayS;
}

/**
 * Sets it when it differs. A server that refuses (a hosted namespace whose retention only its
 * console changes) is reported, not fatal: the worker still runs.
 */
export async function ensureNamespaceRetention(
  client: Client,
  namespace: string,
  days: number,
): Promise<'set' | 'unchanged' | { refused: string }> {
  try {
    if ((await namespaceRetentionDays(client, namespace)) === days) return 'unchanged';
    await client.workflowService.updateNamespace({
      namespace,
      config: { workflowExecutionRetentionTtl: msToTs(days * dayS * 1000) },
    });
    return 'set';
  } catch (err) {
    return { refused: err instanceof Error ? err.message : String(err) };
  }
}
