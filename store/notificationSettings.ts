import mongoose, { Schema } from 'mongoose';
import { CustomerEventType, NotificationSettings, type Contact } from '../contracts/notifications';
import { Customer } from './models';

// Who at a customer hears about what, and when not (contracts/notifications.ts).
// One document per customer, its _id the customer's; a customer who never chose gets
// the account's own email and phone for every event.

const settingsSchema = new Schema(
  {
    _id: { type: String, required: true },
    contacts: { type: [Schema.Types.Mixed], default: [] },
    quietHours: Schema.Types.Mixed,
  },
  { timestamps: true, collection: 'notification_settings', versionKey: false },
);

export const NotificationSettingsDoc = mongoose.model('NotificationSettings', settingsSchema);

/** What a customer gets before choosing: the account's email and phone, for everything. */
function defaults(customer: { businessName: string; email: string; primaryPhone: string }) {
  const contact: Contact = {
    name: customer.businessName,
    email: customer.email,
    ...(/^\+[1-9]\d{6,14}$/.test(customer.primaryPhone) && { phone: customer.primaryPhone }),
    channels: ['email', 'sms'],
    events: [...CustomerEventType.options],
  };
  return { contacts: [contact] };
}

/** The customer's settings, or the defaults; undefined for no such customer. */
export async function loadNotificationSettings(
  customerId: string,
): Promise<NotificationSettings | undefined> {
  const stored = await NotificationSettingsDoc.findById(customerId).lean();
  if (stored) {
    return NotificationSettings.parse({
      contacts: stored.contacts,
      ...(stored.quietHours ? { quietHours: stored.quietHours } : {}),
    });
  }
  const customer = await Customer.findById(customerId, {
    businessName: 1,
    email: 1,
    primaryPhone: 1,
  }).lean();
  return customer ? defaults(customer) : undefined;
}

/** Replaces the customer's settings (already validated by the route). */
export async function saveNotificationSettings(
  customerId: string,
  settings: NotificationSettings,
): Promise<void> {
  await NotificationSettingsDoc.updateOne(
    { _id: customerId },
    settings.quietHours
      ? { $set: { contacts: settings.contacts, quietHours: settings.quietHours } }
      : { $set: { contacts: settings.contacts }, $unset: { quietHours: 1 } },
    { upsert: true },
  );
}
