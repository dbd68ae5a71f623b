import { Customer } from '../../store/models';
import type { Principal } from '../auth';
import { HttpError } from '../errors';
import { reachesCustomer } from '../tenantScope';

// The console's one door to a customer: a customer the caller may not reach answers
// exactly as one that does not exist, so ids cannot be probed.

export function customerNotFound(): HttpError {
  return new HttpError(404, 'CUSTOMER_NOT_FOUND', 'No such customer');
}

/** The customer document, when the caller reaches it; 404 otherwise. */
export async function reachableCustomer(principal: Principal, customerId: string) {
  if (!reachesCustomer(principal, customerId)) throw customerNotFound();
  const customer = await Customer.findById(customerId).lean();
  if (!customer) throw customerNotFound();
  return customer;
}

/** The route's :id, as a string (express 5 may give arrays for odd paths). */
export function param(value: unknown): string {
  return String(value);
}
