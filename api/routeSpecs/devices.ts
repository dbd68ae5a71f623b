import {
  CreateEnrollmentCodeRequest,
  DeviceDiagnosticRequest,
  DevicesResponse,
  EnrollDeviceRequest,
  ListDevicesQuery,
  RegisterDeviceRequest,
} from '../../contracts/api';
import { SpeedTestQuery, speedTestPath } from '../../contracts/speedTest';
import { DeviceHistory, HistoryQuery, OutageList } from '../../contracts/monitor';
import { caseReaders, managers, type RouteSpec } from '../routeSpec';

// Zen boxes: registering and enrolling, their tokens, lists, health, speed tests.

export const devicesRoutes: RouteSpec[] = [
  {
    method: 'POST',
    path: '/api/device/register',
    summary: 'A device re-registers, or a person registers a new one',
    access: { roles: ['device', 'customer_admin', 'operator'] },
    body: RegisterDeviceRequest,
  },
  {
    method: 'POST',
    path: '/api/device/diagnostic',
    summary: 'A device pushes results it gathered on its own',
    access: { roles: ['device'] },
    body: DeviceDiagnosticRequest,
  },
  {
    method: 'POST',
    path: '/api/devices/enrollment-codes',
    summary: 'A one-time enrollment code for a site',
    access: { roles: managers },
    body: CreateEnrollmentCodeRequest,
  },
  {
    method: 'POST',
    path: '/api/device/enroll',
    summary: 'A new device trades an enrollment code for its token',
    access: { public: 'enrollment-code' },
    body: EnrollDeviceRequest,
  },
  {
    method: 'POST',
    path: '/api/device/token/rotate',
    summary: 'A device replaces its own token',
    access: { roles: ['device'] },
  },
  {
    method: 'POST',
    path: '/api/devices/:deviceId/token/rotate',
    summary: 'A new token for a device (the old one dies at once)',
    access: { roles: managers },
  },
  {
    method: 'POST',
    path: '/api/devices/:deviceId/revoke',
    summary: 'Revoke a device: refused and disconnected at once',
    access: { roles: managers },
  },
  {
    method: 'GET',
    path: '/api/devices',
    summary:
      'Zen boxes with site, status, health, cloud path, LTE data and open case, a page at a time by box id',
    access: { roles: caseReaders },
    query: ListDevicesQuery,
    response: DevicesResponse,
    answers: { '400': 'A bad filter, or a cursor this list did not give (BAD_CURSOR)' },
  },
  {
    method: 'GET',
    path: '/api/devices/:deviceId/health',
    summary:
      "A box's health history (minutes for 48 hours, hours for a year), uptime and current state",
    access: { roles: caseReaders },
    query: HistoryQuery,
    response: DeviceHistory,
    answers: {
      '400': 'A range out of order, in the future, older than a year, or too long ago for minutes',
      '404': 'No such box, or not yours',
    },
  },
  {
    method: 'GET',
    path: '/api/devices/:deviceId/outages',
    summary: "A box's outages: offline, and what its monitor saw fail (default: 30 days)",
    access: { roles: caseReaders },
    query: HistoryQuery.pick({ from: true, to: true }),
    response: OutageList,
    answers: {
      '400': 'A range out of order, in the future or older than a year',
      '404': 'No such box, or not yours',
    },
  },
  {
    method: 'GET',
    path: speedTestPath,
    summary: 'Speed test: streams `bytes` bytes to the device (capped; a budget per device)',
    access: { roles: ['device'] },
    query: SpeedTestQuery,
  },
  {
    method: 'POST',
    path: speedTestPath,
    summary: 'Speed test: takes up to `bytes` bytes and reports what arrived (NDJSON progress)',
    access: { roles: ['device'] },
    query: SpeedTestQuery,
  },
];
