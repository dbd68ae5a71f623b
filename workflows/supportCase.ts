import {
  condition,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { setCurrentDetails } from '@temporalio/workflow';
import type * as activities from '../activities';
import {
  caseStateQuery,
  closeCaseSignal,
  joinCaseUpdate,
  searchAttributes,
  type CaseInput,
  type CaseState,
  type CloseRequest,
} from './messages';

const { recordCase } = proxyActivities<typeof activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '10 seconds' },
});

/** One support case, from the first report to its close. */
export async function supportCase(input: CaseInput): Promise<CaseState> {
  const state: CaseState = {
    caseId: input.caseId,
    status: 'open',
    step: 'Case opened',
    channel: input.channel,
    issueCategory: 'unknown',
    openedAt: Date.now(),
  };
  let closeRequest: CloseRequest | undefined;

  setHandler(caseStateQuery, () => state);
  setHandler(joinCaseUpdate, ({ caseId }) => ({
    caseId: state.caseId,
    joined: caseId !== state.caseId,
  }));
  setHandler(closeCaseSignal, (request) => {
    closeRequest ??= request;
  });

  setCurrentDetails(`**Opened** through ${input.channel} for ${input.businessName}.`);
  await recordCase(input);

  await condition(() => closeRequest !== undefined);
  state.status = 'cancelled';
  state.step = `Closed by ${closeRequest!.actor.role}: ${closeRequest!.reason}`;
  state.closedAt = Date.now();
  upsertSearchAttributes([{ key: searchAttributes.status, value: state.status }]);
  setCurrentDetails(`**${state.status}**: ${state.step}`);
  return state;
}
