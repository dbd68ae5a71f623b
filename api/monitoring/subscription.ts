import { subscriptionOf } from '../../contracts/tenancy';
import { Customer } from '../../store/models';

// What the customer's subscription lets the box's monitoring do (contracts/tenancy.ts):
// suspended, its faults are told but open no case; cancelled, nobody is told at all. The
// box's health is stored either way.

export async function subscriptionOfCustomer(customerId: string) {
  const customer = await Customer.findById(customerId, { subscriptionStatus: 1 }).lean();
  return subscriptionOf(customer?.subscriptionStatus);
}
