import { bundleWorkflowCode } from '@temporalio/worker';

// The worker evaluates the workflow bundle's modules again for every case it
// starts, so what the bundle pulls in is paid per case: zod's schemas cost
// about 12 ms each time. The workflow imports plain data (contracts/checks,
// contracts/fixes) instead.

describe('the workflow bundle', () => {
  it('holds the workflow code and no zod', async () => {
    const { code } = await bundleWorkflowCode({
      workflowsPath: require.resolve('../../workflows'),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
    });

    expect(code).toContain('./workflows/supportCase.ts');
    expect(code).not.toMatch(/node_modules\/zod\//);
  }, 60_000);
});
