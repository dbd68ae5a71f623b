import { randomUUID } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';

// Every export and erasure, kept for good (insert-only): who did what, when, to whom.

export type PrivacyActionKind = 'export_customer' | 'erase_customer' | 'erase_person';

const privacyActionSchema = new Schema(
  {
    _id: { type: String, required: true },
    action: { type: String, enum: ['export_customer', 'erase_customer', 'erase_person'] },
    actor: { id: String, role: String },
    customerId: { type: String, required: true, index: true },
    /** The person, for a person's erasure. */
    userId: String,
    /** What was done, counted: keys erased, documents deleted. */
    counts: Schema.Types.Mixed,
    at: { type: Date, required: true },
  },
  { collection: 'privacy_actions', versionKey: false },
);
export const PrivacyAction = mongoose.model('PrivacyAction', privacyActionSchema);

export interface PrivacyActionRecord {
  action: PrivacyActionKind;
  actor: { id: string; role: string };
  customerId: string;
  userId?: string;
  counts?: Record<string, number>;
}

export async function recordPrivacyAction(record: PrivacyActionRecord): Promise<string> {
  const _id = randomUUID();
  await PrivacyAction.collection.insertOne({ _id: _id as never, ...record, at: new Date() });
  return _id;
}
