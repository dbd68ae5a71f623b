import { ApplicationFailure } from '@temporalio/activity';
import { LinkDown, type ApiLink } from '../activities/apiLink';
import { Refused } from './refused';

// A phone call, placed by the API (it holds the Telnyx call state and runs the case's call
// flow, where the contact hears the fix and approves it with the emailed code and 1). The
// worker asks over its link; the answer says whether the call went out.

export async function placePhoneCall(
  api: Pick<ApiLink, 'placeCall'>,
  request: { customerId: string; caseId?: string; to: string },
): Promise<{ providerId?: string }> {
  const { caseId } = request;
  if (!caseId) {
    throw ApplicationFailure.nonRetryable('A phone call is about a case, and this event has none');
  }
  let ack;
  try {
    ack = await api.placeCall({ customerId: request.customerId, caseId, to: request.to });
  } catch (err) {
    if (err instanceof LinkDown)
      throw new Refused(`The phone service was not reachable: ${err.message}`);
    // Asked, but no answer: the phone may be ringing.
    throw err;
  }
  if ('placed' in ack) return { providerId: ack.callId };
  if ('unknown' in ack) throw new Error(ack.unknown);
  // Nothing rang. Trying again cannot help a final refusal: it is recorded failed at once.
  if (ack.final) throw ApplicationFailure.nonRetryable(ack.refused, 'PhoneRefused');
  throw new Refused(ack.refused);
}
