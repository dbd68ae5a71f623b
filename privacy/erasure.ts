import mongoose from 'mongoose';
import { closedStatuses } from '../contracts/case';
import { NotificationDoc } from '../notifier/records';
import { Case, Customer, Session, User } from '../store/models';
import { NotificationSettingsDoc, saveNotificationSettings } from '../store/notificationSettings';
import { eraseKeys, personSubject, subjectsOfCustomer } from './keys';

// Erasure: destroying keys makes everything they sealed unreadable wherever it lies (the
// audit chain still verifies: it covers the ciphertext); what is kept in clear for the
// account to work (people, contacts, the account's own fields) is deleted or blanked.

export interface ErasureCounts extends Record<string, number> {
  keys: number;
  people: number;
  sessions: number;
  contacts: number;
}

const erasedPhone = (customerId: string) => `(erased ${customerId})`;

/** The whole customer: its keys, its people's and callers', its people, contacts, sessions. */
export async function eraseCustomer(customerId: string): Promise<ErasureCounts> {
  const keys = await eraseKeys(customerId, await subjectsOfCustomer(customerId));
  const people = await User.find({ customerId }, { _id: 1 }).lean();
  const peopleIds = people.map((p) => p._id);
  const sessions = peopleIds.length
    ? await Session.deleteMany({ userId: mongoose.trusted({ $in: peopleIds }) })
    : { deletedCount: 0 };
  const users = await User.deleteMany({ customerId });
  const settings = await NotificationSettingsDoc.findById(customerId, { contacts: 1 }).lean();
  // No contacts at all: the account's own address is gone too, so nobody is told anything.
  await saveNotificationSettings(customerId, { contacts: [] });
  await Customer.updateOne(
    { _id: customerId },
    { $set: { email: '(erased)', primaryPhone: erasedPhone(customerId), phones: [] } },
  );
  await forgetAddresses({ customerId });
  await blankPlainCaseFields(customerId);
  return {
    keys: keys.length,
    people: users.deletedCount,
    sessions: sessions.deletedCount,
    contacts: settings?.contacts?.length ?? 0,
  };
}

/** One person: their key, their user document and sessions, the contacts with their address. */
export async function erasePerson(customerId: string, userId: string): Promise<ErasureCounts> {
  const user = await User.findOne({ _id: userId, customerId }, { email: 1 }).lean();
  const keys = await eraseKeys(customerId, [personSubject(customerId, userId).id]);
  const sessions = await Session.deleteMany({ userId });
  const users = await User.deleteMany({ _id: userId, customerId });
  let contacts = 0;
  const settings = await NotificationSettingsDoc.findById(customerId).lean();
  if (user && settings) {
    const kept = (settings.contacts as { email?: string }[]).filter(
      (c) => c.email?.toLowerCase() !== user.email.toLowerCase(),
    );
    contacts = settings.contacts.length - kept.length;
    if (contacts) {
      await NotificationSettingsDoc.updateOne({ _id: customerId }, { $set: { contacts: kept } });
    }
  }
  return {
    keys: keys.length,
    people: users.deletedCount,
    sessions: sessions.deletedCount,
    contacts,
  };
}

/** The notifier keeps an address only until the send; an erased customer's go now. */
async function forgetAddresses(filter: { customerId: string }): Promise<void> {
  await NotificationDoc.updateMany(filter, {
    $set: { recipient: '(erased)' },
    $unset: { address: 1 },
  });
}

/**
 * Case documents written before sealing hold the caller's number and words in clear. Only
 * closed cases are changed: an open case's document is its workflow's to write.
 */
async function blankPlainCaseFields(customerId: string): Promise<void> {
  const closed = await Case.find(
    { customerId, status: mongoose.trusted({ $in: [...closedStatuses] }) },
    { callerPhone: 1, summary: 1, reports: 1 },
  ).lean();
  const plain = (v: unknown) => typeof v === 'string' && v !== '' && !v.startsWith('pii1:');
  for (const doc of closed) {
    const reports = (doc.reports ?? []) as { words?: string }[];
    if (!plain(doc.callerPhone) && !plain(doc.summary) && !reports.some((r) => plain(r.words))) {
      continue;
    }
    await Case.updateOne(
      { _id: doc._id },
      {
        $set: {
          ...(plain(doc.callerPhone) && { callerPhone: '(erased)' }),
          ...(plain(doc.summary) && { summary: '(erased)' }),
          reports: reports.map((r) => (plain(r.words) ? { ...r, words: '(erased)' } : r)),
        },
      },
    );
  }
}
