import { CompleteAsyncError, Context } from '@temporalio/activity';
import type { CommandResult, DeviceCommand } from '../contracts/device';
import { deviceByDeviceId } from '../store/lookups';
import { DeviceCommandDoc, driverCollection } from '../store/models';
import { deviceCommandFailure } from '../workflows/messages';
import type { ApiLink } from './apiLink';

// Device commands complete asynchronously: the command is stored with this
// activity's task token, the API pushes it to the Pi, and the Pi's answer
// (through the API) completes the activity. A command answered while no
// attempt was listening (it timed out, Temporal was away) keeps its result, and
// the next attempt takes it at once instead of asking the Pi again.

/**
 * Waits between pushes the API could not confirm. An unconfirmed push (the API instances'
 * bus restarting, the worker's instance just killed) may not have reached the box; a box
 * takes a repeated command from its journal without running it twice. A push the API
 * confirms as not sent (the box offline) is not repeated: it goes out on reconnect.
 */
export const pushRetryDelaysMs = [1_000, 2_000, 4_000];

export async function pushUntilConfirmed(
  api: ApiLink,
  deviceId: string,
  command: DeviceCommand,
): Promise<void> {
  for (const delay of [...pushRetryDelaysMs, undefined]) {
    try {
      await api.pushCommand(deviceId, command);
      return;
    } catch {
      // Still unconfirmed after the last try: the command stays pending, and goes out when
      // the device reconnects or the workflow's next attempt pushes it again.
      if (delay === undefined) return;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

export function createDeviceActivities(api: ApiLink) {
  return {
    async dispatchCommand(command: DeviceCommand & { deviceId: string }): Promise<unknown> {
      const { taskToken } = Context.current().info;
      const { deviceId, ...payload } = command;
      // A retried dispatch replaces the token, so a late answer completes the live attempt.
      // Through the driver (store/models.ts driverCollection): every command of every case.
      const now = new Date();
      const stored = await driverCollection(DeviceCommandDoc).findOneAndUpdate(
        { _id: command.commandId },
        {
          $set: { taskToken: Buffer.from(taskToken).toString('base64'), updatedAt: now },
          $setOnInsert: {
            deviceId,
            caseId: command.caseId,
            command: payload,
            status: 'pending',
            createdAt: now,
          },
        },
        { upsert: true, returnDocument: 'after', ignoreUndefined: true },
      );
      const answer = stored?.result as CommandResult | undefined;
      if (answer) {
        if (!answer.ok) throw deviceCommandFailure(answer.error);
        return answer;
      }
      await pushUntilConfirmed(api, deviceId, payload);
      throw new CompleteAsyncError();
    },

    async deviceIsOnline(deviceId: string): Promise<boolean> {
      const device = await deviceByDeviceId(deviceId);
      return device?.status === 'online';
    },
  };
}
