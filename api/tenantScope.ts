import mongoose from 'mongoose';
import type { Principal } from './auth';

// Tenant isolation lives here: every query for customers' data goes through the
// caller's scope. Operators and the service see all; a partner its own customers; a
// customer's people their customer; a device itself.

const nobody = '\u0000none';

/** The filter every read of customer data adds (customerId, or deviceId for a device). */
export function tenantScope(principal: Principal): Record<string, unknown> {
  switch (principal.role) {
    case 'operator':
    case 'service':
      return {};
    case 'partner':
      return { customerId: mongoose.trusted({ $in: principal.customerIds ?? [] }) };
    case 'customer':
      return { customerId: principal.customerId ?? nobody };
    case 'device':
      return { deviceId: principal.deviceId ?? nobody };
  }
}

/** Whether the caller may reach this customer's data at all. */
export function reachesCustomer(principal: Principal, customerId: string): boolean {
  switch (principal.role) {
    case 'operator':
    case 'service':
      return true;
    case 'partner':
      return principal.customerIds?.includes(customerId) ?? false;
    case 'customer':
    case 'device':
      return principal.customerId === customerId;
  }
}

/**
 * A caller's filter inside their tenant scope; undefined when it asks for something
 * outside it (another customer's id), so nothing matches rather than the scope silently
 * replacing the filter.
 */
export function withinScope(
  principal: Principal,
  filter: Record<string, unknown>,
): Record<string, unknown> | undefined {
  if (typeof filter.customerId === 'string' && !reachesCustomer(principal, filter.customerId)) {
    return undefined;
  }
  const scope = tenantScope(principal);
  if (typeof filter.deviceId === 'string' && 'deviceId' in scope) {
    if (filter.deviceId !== scope.deviceId) return undefined;
  }
  // A partner's own customer narrows the partner's list; otherwise the scope applies as is.
  const narrowed = typeof filter.customerId === 'string' ? { customerId: filter.customerId } : {};
  return { ...filter, ...scope, ...narrowed };
}
