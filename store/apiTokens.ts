import { randomUUID } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { TokenRole, tokenLifetimeDays } from '../contracts/apiTokens';
import { hashToken, newToken } from './tokens';

// Integration tokens (`zu_…`): each acts as one role within one scope until it expires or
// is revoked. Only the sha256 of a token is stored; its text is shown once, when made.

const dayMs = 86_400_000;

const apiTokenSchema = new Schema(
  {
    _id: { type: String, default: () => randomUUID() },
    tokenHash: { type: String, required: true, unique: true },
    name: { type: String, required: true },
    role: { type: String, enum: TokenRole.options, required: true },
    // customer and customer_admin tokens: their customer; partner tokens: their partner.
    customerId: { type: String, index: true },
    partnerId: { type: String, index: true },
    // The user who made it, and whom it acts for in audit entries.
    createdBy: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    // Written once, by DELETE /api/tokens/:id; the token's only writer after it is made.
    revokedAt: Date,
  },
  { timestamps: { createdAt: true, updatedAt: false }, collection: 'api_tokens' },
);

export const ApiToken = mongoose.model('ApiToken', apiTokenSchema);

/**
 * When each token was last used, in a document of its own (`_id` = the token's id). FerretDB
 * writes an update back as the whole document, so a use recorded on the token itself could
 * undo a revocation that landed at the same moment. Here recordUse is the only writer, and
 * a lost update of it (two API instances at once) is harmless: both write about "now".
 */
const tokenUseSchema = new Schema(
  { _id: { type: String, required: true }, lastUsedAt: { type: Date, required: true } },
  { collection: 'api_token_uses', versionKey: false },
);

export const ApiTokenUse = mongoose.model('ApiTokenUse', tokenUseSchema);

export interface IssueApiToken {
  name: string;
  role: TokenRole;
  createdBy: string;
  customerId?: string;
  partnerId?: string;
  expiresInDays?: number;
  /** The clock the lifetime counts from (the migration's start). */
  now?: Date;
}

export interface IssuedApiToken {
  /** The token's text: shown once, never stored. */
  token: string;
  doc: ApiTokenRecord;
}

export interface ApiTokenRecord {
  _id: string;
  tokenHash: string;
  name: string;
  role: TokenRole;
  customerId?: string | null;
  partnerId?: string | null;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt?: Date | null;
}

/** A new token (the caller has checked that its scope is within the creator's). */
export async function issueApiToken(input: IssueApiToken): Promise<IssuedApiToken> {
  const token = newToken('zu');
  const days = input.expiresInDays ?? tokenLifetimeDays.default;
  const doc = await ApiToken.create({
    tokenHash: hashToken(token),
    name: input.name,
    role: input.role,
    customerId: input.customerId,
    partnerId: input.partnerId,
    createdBy: input.createdBy,
    expiresAt: new Date((input.now ?? new Date()).getTime() + days * dayMs),
  });
  return { token, doc: doc.toObject() as ApiTokenRecord };
}

/** What a person's own token acts as: their role, a customer's person as admin or member. */
export function tokenRoleOf(user: {
  role: string;
  customerRole?: string | null;
}): TokenRole | undefined {
  switch (user.role) {
    case 'operator':
      return 'operator';
    case 'partner':
      return 'partner';
    case 'customer':
      // Accounts from before roles were each business's owner: admins.
      return (user.customerRole ?? 'admin') === 'admin' ? 'customer_admin' : 'customer';
    default:
      return undefined;
  }
}

const useWriteEveryMs = 60_000;
const maxTracked = 20_000;
const lastWritten = new Map<string, number>();

/** Notes that a token was used: at most once a minute per token and API process. */
export async function recordUse(tokenId: string, now = Date.now()): Promise<void> {
  const previous = lastWritten.get(tokenId);
  if (previous !== undefined && now - previous < useWriteEveryMs) return;
  if (lastWritten.size >= maxTracked) lastWritten.delete(lastWritten.keys().next().value!);
  lastWritten.delete(tokenId);
  lastWritten.set(tokenId, now);
  await ApiTokenUse.updateOne(
    { _id: tokenId },
    { $set: { lastUsedAt: new Date(now) } },
    { upsert: true },
  );
}

/** When each of these tokens was last used. */
export async function lastUses(tokenIds: string[]): Promise<Map<string, Date>> {
  const uses = await ApiTokenUse.find({ _id: mongoose.trusted({ $in: tokenIds }) }).lean();
  return new Map(uses.map((u) => [u._id, u.lastUsedAt]));
}
