import { Customer } from '../../store/models';
import { HttpError } from '../errors';

// Caller ID finds a customer by any of its phone numbers, so no number may belong to
// two customers. Old documents have only primaryPhone; newer ones list every number in
// phones (primaryPhone first).

/** The customer a number calls from, by any of its numbers. */
export async function customerByPhone(phone: string) {
  return (
    (await Customer.findOne({ phones: phone }).lean()) ??
    (await Customer.findOne({ primaryPhone: phone }).lean())
  );
}

/** The numbers without repeats, in the order given (the first is the primary number). */
export function distinctPhones(phones: readonly string[]): string[] {
  return [...new Set(phones)];
}

/** 409 PHONE_IN_USE when another customer already calls from one of these numbers. */
export async function assertPhonesFree(phones: readonly string[], exceptCustomerId?: string) {
  for (const phone of phones) {
    const holder = await customerByPhone(phone);
    if (holder && holder._id !== exceptCustomerId) throw phoneInUse(phone);
  }
}

export function phoneInUse(phone?: string): HttpError {
  return new HttpError(
    409,
    'PHONE_IN_USE',
    phone
      ? `The number ${phone} already belongs to another customer: caller ID must find exactly one.`
      : 'One of these numbers already belongs to another customer: caller ID must find exactly one.',
  );
}

/** A unique-index clash (FerretDB may report it as an internal error instead of 11000). */
export function isDuplicateKey(err: unknown): boolean {
  const e = err as { code?: number; message?: string };
  return e?.code === 11000 || /duplicate key/i.test(e?.message ?? '');
}
