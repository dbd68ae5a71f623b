import { DefaultFailureConverter } from '@temporalio/common';

// Failure messages and stack traces move into a payload, so the codec encrypts them too (an
// error may quote what a customer wrote). Loaded by path: the worker bundles it into workflows.
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
