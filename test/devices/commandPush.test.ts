import type { ApiLink } from '../../activities/apiLink';
import { pushUntilConfirmed } from '../../activities/devices';
import type { DeviceCommand } from '../../contracts/device';

// A push the API could not confirm (its instances' bus restarting, the worker's instance
// killed) is pushed again a few times before the dispatch waits for the box's answer; one the
// API says did not go out (the box offline) waits for the box to reconnect.

jest.setTimeout(30_000);

const command = {
  commandId: 'case-push:cmd1',
  caseId: 'case-push',
  kind: 'diagnose',
  checks: ['gateway_ping'],
} as unknown as DeviceCommand;

function linkAnswering(answers: (boolean | Error)[]) {
  const pushes: number[] = [];
  const started = Date.now();
  const link = {
    async pushCommand() {
      pushes.push(Date.now() - started);
      const answer = answers.shift() ?? true;
      if (answer instanceof Error) throw answer;
      return answer;
    },
  } as unknown as ApiLink;
  return { link, pushes };
}

test('an unconfirmed push goes out again until the API confirms it', async () => {
  const unconfirmed = new Error('An API instance did not say whether the device is on it');
  const { link, pushes } = linkAnswering([unconfirmed, unconfirmed, true]);
  await pushUntilConfirmed(link, 'pi-push', command);
  expect(pushes).toHaveLength(3);
  // It waited 1 s, then 2 s, between the tries.
  expect(pushes[1]! - pushes[0]!).toBeGreaterThanOrEqual(950);
  expect(pushes[2]! - pushes[1]!).toBeGreaterThanOrEqual(1_950);
});

test('a push the API says did not go out (the box offline) is not repeated', async () => {
  const { link, pushes } = linkAnswering([false]);
  await pushUntilConfirmed(link, 'pi-push', command);
  expect(pushes).toHaveLength(1);
});

test('a push never confirmed is tried four times, then left to the reconnect', async () => {
  const down = new Error('The API was not reachable for 5 s');
  const { link, pushes } = linkAnswering([down, down, down, down, down]);
  await expect(pushUntilConfirmed(link, 'pi-push', command)).resolves.toBeUndefined();
  expect(pushes).toHaveLength(4);
});
