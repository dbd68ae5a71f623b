import { CancellationScope, isCancellation, sleep } from '@temporalio/workflow';
import type { SlaKind, SlaSettings } from '../contracts/technician';
import type { RecordStep } from './caseMessages';
import type { CaseState } from './messages';
import type { CaseNotifier } from './notifications';

// The customer's service levels as timers beside the case: resolution from the opening,
// first response from the hand-over. A deadline that passes is recorded once, for the
// operators (an internal step), and raised through the notifier (sla_breached).

export interface ServiceLevelContext {
  state: CaseState;
  sla: SlaSettings;
  record: RecordStep;
  notify: CaseNotifier;
  isClosed: () => boolean;
}

const breachWords: Record<SlaKind, string> = {
  first_response: 'Service level missed: no technician responded in time',
  resolution: 'Service level missed: the case is still open past its resolution time',
};

export function watchServiceLevels({ state, sla, record, notify, isClosed }: ServiceLevelContext) {
  state.sla = { ...sla, breaches: [] };
  // One scope for both clocks: the close cancels whichever still runs.
  const clocks = new CancellationScope();

  async function breach(kind: SlaKind): Promise<void> {
    state.sla!.breaches.push({ kind, at: Date.now() });
    await record('sla_breached', breachWords[kind], { details: { kind }, internal: true });
    await notify('sla_breached', `sla:${kind}`, { slaKind: kind });
  }

  function after(ms: number, kind: SlaKind, stillMissed: () => boolean): void {
    clocks
      .run(async () => {
        await sleep(Math.max(ms, 1), { summary: `SLA: ${kind.replace('_', ' ')} deadline` });
        if (!isClosed() && stillMissed()) await breach(kind);
      })
      .catch((err: unknown) => {
        // Cancelled by the close; anything else fails the workflow task, to be retried.
        if (!isCancellation(err)) throw err;
      });
  }

  after(state.openedAt + sla.resolutionMinutes * 60_000 - Date.now(), 'resolution', () => true);

  return {
    /** The case went to the technicians: their first response is due. */
    handedOver(): void {
      after(
        sla.firstResponseMinutes * 60_000,
        'first_response',
        () => state.technician?.firstResponseAt === undefined,
      );
    },
    stop(): void {
      clocks.cancel();
    },
  };
}
