// Shapes of the API responses the portal reads, shared by the app and the server proxy.

export interface HealthResponse {
  status: 'ok' | 'degraded';
  temporal: string;
  mongo: string;
}

export interface ApiError {
  error: string;
  code: string;
}

export type CaseStatus =
  | 'open'
  | 'diagnosing'
  | 'awaiting_approval'
  | 'fixing'
  | 'verifying'
  | 'resolved'
  | 'escalated'
  | 'cancelled';

export interface CaseSummary {
  id: string;
  workflowId: string;
  status: CaseStatus;
  deviceId: string;
  channel: 'portal' | 'phone' | 'agent';
  issueCategory: string;
  summary: string;
  createdAt: string;
  updatedAt: string;
}

export interface CasesResponse {
  cases: CaseSummary[];
}

export function isApiError(body: unknown): body is ApiError {
  return typeof body === 'object' && body !== null && 'code' in body && 'error' in body;
}
