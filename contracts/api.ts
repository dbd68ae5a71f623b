import { z } from 'zod';
import { CaseChannel } from './case';

// Request bodies accepted at the API's edge.

export const OpenCaseRequest = z.object({
  deviceId: z.string().min(1).max(100),
  channel: CaseChannel.default('portal'),
  description: z.string().max(2000).optional(),
});
export type OpenCaseRequest = z.infer<typeof OpenCaseRequest>;

export interface HealthResponse {
  status: 'ok' | 'degraded';
  temporal: 'ok' | 'unreachable';
  mongo: 'ok' | 'unreachable';
}
