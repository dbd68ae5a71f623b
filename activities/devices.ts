import { CompleteAsyncError, Context } from '@temporalio/activity';
import type { DeviceCommand } from '../contracts/device';
import { Device, DeviceCommandDoc } from '../store/models';
import type { ApiLink } from './apiLink';

// Device commands complete asynchronously: the command is stored with this
// activity's task token, the API pushes it to the Pi, and the Pi's answer
// (through the API) completes the activity.

export function createDeviceActivities(api: ApiLink) {
  return {
    async dispatchCommand(command: DeviceCommand & { deviceId: string }): Promise<unknown> {
      const { taskToken } = Context.current().info;
      const { deviceId, ...payload } = command;
      // A retried dispatch replaces the token, so a late answer completes the live attempt.
      await DeviceCommandDoc.updateOne(
        { _id: command.commandId },
        {
          $set: { taskToken: Buffer.from(taskToken).toString('base64'), status: 'pending' },
          $setOnInsert: { deviceId, caseId: command.caseId, command: payload },
        },
        { upsert: true },
      );
      // If the push fails the command stays pending and goes out when the device reconnects.
      await api.pushCommand(command.commandId).catch(() => undefined);
      throw new CompleteAsyncError();
    },

    async deviceIsOnline(deviceId: string): Promise<boolean> {
      const device = await Device.findOne({ deviceId }, { status: 1 }).lean();
      return device?.status === 'online';
    },
  };
}
