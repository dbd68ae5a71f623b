import { AdvisorCall } from '../../store/advisorCalls';
import { connectStore, disconnectStore } from '../../store/connection';
import { Case } from '../../store/models';
import { MonitorTransition } from '../../store/monitorTransitions';
import { CaseSatisfaction } from '../../store/satisfaction';
import { freshMongoUrl } from '../support/env';

// connectStore builds the indexes of every model defined by then, the store modules beside
// store/models.ts too: no module builds its own on its first write.

beforeAll(async () => {
  await connectStore(freshMongoUrl('indexes'));
});
afterAll(() => disconnectStore());

async function indexedKeys(model: { collection: { indexes(): Promise<{ key: object }[]> } }) {
  return (await model.collection.indexes()).map((index) => Object.keys(index.key).join(','));
}

it('builds the indexes of models.ts and of the other store modules at connect', async () => {
  expect(await indexedKeys(Case)).toContain('completedAt');
  expect(await indexedKeys(AdvisorCall)).toContain('caseId,createdAt');
  expect(await indexedKeys(CaseSatisfaction)).toEqual(expect.arrayContaining(['customerId', 'at']));
  expect(await indexedKeys(MonitorTransition)).toContain('deviceId,at');
});
