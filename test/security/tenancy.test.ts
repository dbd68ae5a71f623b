import { approve, connectDevice, openDemoCase, waitForStatus } from '../support/cases';
import { call, startTestStack, type TestStack } from '../support/stack';
import { seedOtherTenant, type OtherTenant } from '../support/tenants';

// Another customer of the same product, with valid credentials, cannot read,
// approve, take, re-key or enroll anything of ours: every answer is the one a
// missing thing gets, and our case goes on untouched.

describe('tenant isolation through the API', () => {
  let stack: TestStack;
  let other: OtherTenant;
  beforeAll(async () => {
    stack = await startTestStack('tenancy');
    other = await seedOtherTenant();
  });
  afterAll(() => stack?.stop());

  it("refuses another customer's reads, approval and device changes on a live case", async () => {
    const device = connectDevice(stack, 'gateway-unreachable');
    try {
      const { caseId, handle } = await openDemoCase(stack);
      const waiting = await waitForStatus(handle, 'awaiting_approval', 60_000);
      const actionId = waiting.proposal!.actionId;
      const api = stack.apiUrl;
      const deviceId = stack.demo.device.deviceId;

      for (const path of [
        `/api/cases/${caseId}`,
        `/api/cases/${caseId}/audit`,
        `/api/cases/${caseId}/audit/verify`,
      ]) {
        expect((await call(`${api}${path}`, other.token)).status).toBe(404);
      }
      const theirList = await call(
        `${api}/api/cases?customerId=${stack.demo.customer.id}`,
        other.token,
      );
      expect(theirList.body.cases.map((c: { id: string }) => c.id)).not.toContain(caseId);
      const theirDevices = await call(
        `${api}/api/devices?customerId=${stack.demo.customer.id}`,
        other.token,
      );
      expect(JSON.stringify(theirDevices.body)).not.toContain(deviceId);

      expect((await approve(stack, caseId, actionId, { token: other.token })).status).toBe(404);
      expect(
        (await call(`${api}/api/devices/${deviceId}/revoke`, other.token, { body: {} })).status,
      ).toBe(404);
      expect(
        (await call(`${api}/api/devices/${deviceId}/token/rotate`, other.token, { body: {} }))
          .status,
      ).toBe(404);
      // Their device cannot report for ours either.
      const asTheirDevice = await call(`${api}/api/cases`, other.deviceToken, {
        body: { deviceId },
      });
      expect(asTheirDevice.status).toBeGreaterThanOrEqual(400);
      expect(asTheirDevice.status).toBeLessThan(500);

      // Our case never noticed: still waiting for us, and our approval works.
      expect((await waitForStatus(handle, 'awaiting_approval', 5_000)).proposal?.actionId).toBe(
        actionId,
      );
      expect((await approve(stack, caseId, actionId)).status).toBe(200);
      expect(await handle.result()).toMatchObject({
        status: 'resolved',
        actionsTaken: ['power_cycle_router'],
      });
    } finally {
      device.stop();
    }
  }, 120_000);
});
