import { ApiToken, tokenRoleOf } from './apiTokens';
import { User, driverCollection } from './models';

// The user API tokens of before (users.tokenHash: one per person, never expiring) become
// integration tokens that act as their person's role and expire 90 days after the move.
// Runs after every connect and does nothing once done; a move cut short resumes: a token
// already moved is found by its hash, and the user keeps the old field until it has been.

const movedLifetimeDays = 90;

interface OldUser {
  _id: string;
  email?: string;
  role: string;
  customerId?: string | null;
  customerRole?: string | null;
  partnerId?: string | null;
  tokenHash: string;
}

export async function moveUserTokens(now = new Date()): Promise<{ moved: number }> {
  // Through the driver: tokenHash is no longer in the schema, so mongoose would drop it.
  const users = driverCollection(User);
  const old = (await users
    .find({ tokenHash: { $exists: true } })
    .toArray()) as unknown as OldUser[];
  let moved = 0;
  for (const user of old) {
    if (await moveOne(user, now)) moved++;
  }
  // The unique index would refuse a second user without a token.
  await users.dropIndex('tokenHash_1').catch(() => undefined);
  for (const user of old) {
    await users.updateOne({ _id: user._id }, { $unset: { tokenHash: '' } });
  }
  return { moved };
}

async function moveOne(user: OldUser, now: Date): Promise<boolean> {
  const role = tokenRoleOf(user);
  // A person with no role we know, or a scope that is missing, gets no token.
  if (!role) return false;
  if (role.startsWith('customer') && !user.customerId) return false;
  if (role === 'partner' && !user.partnerId) return false;
  if (await ApiToken.exists({ tokenHash: user.tokenHash })) return false;
  try {
    await ApiToken.create({
      tokenHash: user.tokenHash,
      name: 'API token from before tokens expired',
      role,
      customerId: role.startsWith('customer') ? user.customerId : undefined,
      partnerId: role === 'partner' ? user.partnerId : undefined,
      createdBy: user._id,
      expiresAt: new Date(now.getTime() + movedLifetimeDays * 86_400_000),
    });
    return true;
  } catch (err) {
    // Another API instance moved it at the same moment: already done.
    if (await ApiToken.exists({ tokenHash: user.tokenHash })) return false;
    throw err;
  }
}
