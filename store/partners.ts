import mongoose, { Schema } from 'mongoose';
import { randomUUID } from 'node:crypto';

// Partners: managed service providers that serve some of our customers themselves.
// A customer names its partner (customers.partnerId); a partner's people reach only those.

const partnerSchema = new Schema(
  {
    _id: { type: String, default: () => randomUUID() },
    name: { type: String, required: true },
  },
  { timestamps: true, collection: 'partners' },
);

export const Partner = mongoose.model('Partner', partnerSchema);
