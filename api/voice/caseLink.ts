import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import { Case } from '../../store/models';
import { callEventSignal, caseStateQuery, type CaseState } from '../../workflows/messages';
import type { Principal } from '../auth';
import { callerActorId } from '../../privacy/writers';
import { loadBoxes } from './boxChoice';
import type { CallSession } from './callSession';

// A call's link to its case: which run of the case it follows, the case's state as the
// call reads it, and the call's news (answered, hung up, no keys) signalled to the case.
// Every Temporal call has a deadline: without one a call may wait forever.

export const TEMPORAL_DEADLINE_MS = 15_000;

export class CaseLink {
  constructor(
    private readonly temporal: Client,
    private readonly log: (message: string, err?: unknown) => void,
  ) {}

  /** The call follows this run of the case: a later case of the same box is another call's. */
  async follow(session: CallSession, workflowId?: string): Promise<void> {
    if (workflowId) session.workflowId = workflowId;
    session.runId = await this.runOf(session.workflowId!);
    if (!session.site && session.workflowId) {
      // The proactive call: the site for the code e-mail is that of the case's box.
      session.site = await this.siteOfCase(session);
    }
  }

  async caseState(session: CallSession): Promise<CaseState | undefined> {
    if (!session.workflowId) return undefined;
    return this.temporal.withDeadline(Date.now() + TEMPORAL_DEADLINE_MS, () =>
      this.handleOf(session).query(caseStateQuery),
    );
  }

  async signal(session: CallSession, type: 'answered' | 'hangup' | 'gather_timeout') {
    if (!session.workflowId) return;
    await this.temporal
      .withDeadline(Date.now() + TEMPORAL_DEADLINE_MS, () =>
        this.handleOf(session).signal(callEventSignal, { type, callControlId: session.id }),
      )
      .catch((err) => {
        // A case that has finished needs no news of the call.
        if (!(err instanceof WorkflowNotFoundError)) {
          this.log(`call event ${type} did not reach the case`, err);
        }
      });
  }

  private async runOf(workflowId: string): Promise<string | undefined> {
    const description = await this.temporal.withDeadline(Date.now() + TEMPORAL_DEADLINE_MS, () =>
      this.temporal.workflow.getHandle(workflowId).describe(),
    );
    return description.runId;
  }

  private async siteOfCase(session: CallSession): Promise<string | undefined> {
    const doc = await Case.findOne({ workflowId: session.workflowId }, { deviceId: 1 })
      .sort({ createdAt: -1 })
      .lean();
    if (!doc) return undefined;
    const boxes = await loadBoxes(session.customerId);
    return boxes.find((b) => b.deviceId === doc.deviceId)?.place;
  }

  private handleOf(session: CallSession) {
    return this.temporal.workflow.getHandle(session.workflowId!, session.runId);
  }
}

/** The caller as the case's principal. */
export function principalOf(session: CallSession): Principal {
  // Known by a keyed hash of the number: an actor id is kept in clear (privacy/writers.ts).
  return {
    id: callerActorId(session.customerId, session.from),
    role: 'customer',
    customerId: session.customerId,
  };
}
