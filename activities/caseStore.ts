import { Context } from '@temporalio/activity';
import { Case } from '../store/models';
import type { CaseInput } from '../workflows/messages';

// Case documents in `diagnostic_sessions`, written by the workflow's activities.

/** Creates the case document; a retry finds it already there and changes nothing. */
export async function recordCase(input: CaseInput): Promise<void> {
  const { workflowExecution } = Context.current().info;
  if (!workflowExecution) throw new Error('recordCase runs only as a workflow activity');
  await Case.updateOne(
    { _id: input.caseId },
    {
      $setOnInsert: {
        workflowId: workflowExecution.workflowId,
        runId: workflowExecution.runId,
        customerId: input.customerId,
        deviceId: input.deviceId,
        siteId: input.siteId,
        channel: input.channel,
        callerPhone: input.callerPhone,
        status: 'open',
        step: 'Case opened',
        summary: input.description,
      },
    },
    { upsert: true },
  );
}
