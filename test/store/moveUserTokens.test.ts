import { createAuthenticate } from '../../api/auth';
import { createAccessTokens } from '../../api/accessTokens';
import { ApiToken } from '../../store/apiTokens';
import { connectStore, disconnectStore } from '../../store/connection';
import { User, driverCollection } from '../../store/models';
import { moveUserTokens } from '../../store/moveUserTokens';
import { hashToken, newToken } from '../../store/tokens';
import { freshMongoUrl } from '../support/env';

// A database from before integration tokens: each person's API token on their user document
// (users.tokenHash, unique). Connecting moves them once into api_tokens, acting as the
// person's role and expiring 90 days later; the old field and its index go; running the
// move again changes nothing, and the old token text keeps working.

const day = 86_400_000;

describe('moving the old user tokens', () => {
  const url = freshMongoUrl('move-tokens');
  const ownerToken = newToken('zu');
  const memberToken = newToken('zu');
  const operatorToken = newToken('zu');
  const authenticate = createAuthenticate(undefined, createAccessTokens());

  beforeAll(async () => {
    // The old shape, written through the driver as the old schema stored it.
    await connectStore(url);
    const users = driverCollection(User);
    await users.createIndex({ tokenHash: 1 }, { unique: true });
    await users.insertMany([
      {
        _id: 'owner',
        email: 'owner@old.example',
        role: 'customer',
        customerId: 'c1',
        tokenHash: hashToken(ownerToken),
      },
      {
        _id: 'member',
        email: 'member@old.example',
        role: 'customer',
        customerId: 'c1',
        customerRole: 'member',
        tokenHash: hashToken(memberToken),
      },
      {
        _id: 'operator',
        email: 'op@old.example',
        role: 'operator',
        tokenHash: hashToken(operatorToken),
      },
    ] as never[]);
    await disconnectStore();
  });
  afterAll(() => disconnectStore());

  it('connecting moves every users.tokenHash into api_tokens, once', async () => {
    const before = Date.now();
    await connectStore(url);

    const moved = await ApiToken.find({}).sort({ createdBy: 1 }).lean();
    expect(moved.map((t) => [t.createdBy, t.role, t.customerId ?? null])).toEqual([
      ['member', 'customer', 'c1'],
      ['operator', 'operator', null],
      ['owner', 'customer_admin', 'c1'],
    ]);
    expect(moved.find((t) => t.createdBy === 'owner')!.tokenHash).toBe(hashToken(ownerToken));
    for (const token of moved) {
      const lifetime = token.expiresAt.getTime() - before;
      expect(lifetime).toBeGreaterThan(90 * day - 60_000);
      expect(lifetime).toBeLessThan(90 * day + 60_000);
    }
    const users = driverCollection(User);
    expect(await users.countDocuments({ tokenHash: { $exists: true } })).toBe(0);
    const indexes = (await users.indexes()).map((i) => i.name);
    expect(indexes).not.toContain('tokenHash_1');

    // The old texts act as before: the owner as its business's admin, the member as a member.
    await expect(authenticate(ownerToken)).resolves.toMatchObject({
      id: 'owner',
      role: 'customer',
      customerId: 'c1',
      admin: true,
      via: 'token',
    });
    await expect(authenticate(memberToken)).resolves.toMatchObject({ admin: false });
    await expect(authenticate(operatorToken)).resolves.toMatchObject({ role: 'operator' });

    // Again (another start, or a second API instance): nothing changes.
    await expect(moveUserTokens()).resolves.toEqual({ moved: 0 });
    await disconnectStore();
    await connectStore(url);
    const again = await ApiToken.find({}).sort({ createdBy: 1 }).lean();
    expect(again).toEqual(moved);

    // People without tokens now fit beside each other (the unique index is gone).
    await User.create({ email: 'new1@old.example', role: 'operator' });
    await User.create({ email: 'new2@old.example', role: 'operator' });
  });

  it('a move cut short after the tokens were written finishes on the next start', async () => {
    const token = newToken('zu');
    const users = driverCollection(User);
    await ApiToken.create({
      tokenHash: hashToken(token),
      name: 'moved before the cut',
      role: 'operator',
      createdBy: 'late',
      expiresAt: new Date(Date.now() + 90 * day),
    });
    await users.insertOne({
      _id: 'late',
      email: 'late@old.example',
      role: 'operator',
      tokenHash: hashToken(token),
    } as never);
    await expect(moveUserTokens()).resolves.toEqual({ moved: 0 });
    expect(await ApiToken.countDocuments({ createdBy: 'late' })).toBe(1);
    expect(await users.countDocuments({ _id: 'late', tokenHash: { $exists: true } } as never)).toBe(
      0,
    );
  });
});
