import Telnyx from 'telnyx';
import { closedStatuses, type CaseStatus } from '../../contracts/case';
import type { PlaceCall, PlaceCallAck } from '../../contracts/api';
import { neverConnected } from '../../notifier/refused';
import { Case, Customer } from '../../store/models';
import type { CallFlow } from './callFlow';

// The notifier's phone channel asks, over the worker's link, for a call to a contact about a
// case (contracts/api.ts PlaceCall). The answer tells the worker whether a call went out, so
// its delivery is sent, retried or marked unconfirmed (notifier/deliver.ts).

export async function placeContactCall(
  flow: CallFlow | undefined,
  request: PlaceCall,
): Promise<PlaceCallAck> {
  if (!flow) return { refused: 'Phone calls are not set up', final: true };
  const [found, customer] = await Promise.all([
    Case.findById(request.caseId, { workflowId: 1, customerId: 1, status: 1 }).lean(),
    Customer.findById(request.customerId, {
      primaryPhone: 1,
      email: 1,
      businessName: 1,
    }).lean(),
  ]);
  if (!found || !customer || found.customerId !== customer._id) {
    return { refused: "The call was not placed: the case is not this customer's", final: true };
  }
  if (closedStatuses.includes(found.status as CaseStatus)) {
    return { refused: 'The case had closed, so there was nothing to call about', final: true };
  }
  try {
    const callId = await flow.callContact(customer, found.workflowId, request.to);
    return { placed: true, ...(callId && { callId }) };
  } catch (err) {
    if (err instanceof Telnyx.APIError && err.status !== undefined) {
      return { refused: `Telnyx refused the call (${err.status}): ${err.message}` };
    }
    if (neverConnected(err)) return { refused: `Telnyx was not reachable: ${String(err)}` };
    // A timeout or a dropped connection: the phone may be ringing.
    return { unknown: `The call's fate is unknown: ${String(err)}` };
  }
}
