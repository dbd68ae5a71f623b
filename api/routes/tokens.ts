import { Router } from 'express';
import { z } from 'zod';
import { CreateTokenRequest, type TokenRole, type TokenView } from '../../contracts/apiTokens';
import type { AccessRole } from '../../contracts/tenancy';
import { ApiToken, issueApiToken, lastUses, type ApiTokenRecord } from '../../store/apiTokens';
import { Customer } from '../../store/models';
import { Partner } from '../../store/partners';
import { requireSignedIn, type Principal, type RequireRole } from '../auth';
import { HttpError } from '../errors';
import { reachesCustomer, tenantScope } from '../tenantScope';

// Integration tokens: listed by whoever manages them, made and revoked only by a person
// signed in with an emailed code. A token never reaches further than its maker.

export const tokenManagers: AccessRole[] = ['operator', 'partner', 'customer_admin'];

const TokenParams = z.object({ id: z.string().min(1).max(100) });

export function tokensRouter(requireRole: RequireRole): Router {
  const router = Router();

  router.get('/tokens', requireRole(...tokenManagers), async (req, res) => {
    const tokens = await ApiToken.find(tokensInReach(req.principal!))
      .sort({ createdAt: -1 })
      .limit(1000)
      .lean<ApiTokenRecord[]>();
    const used = await lastUses(tokens.map((t) => t._id));
    res.json({ tokens: tokens.map((t) => tokenView(t, used.get(t._id))) });
  });

  router.post('/tokens', requireRole(...tokenManagers), requireSignedIn, async (req, res) => {
    const body = CreateTokenRequest.parse(req.body);
    const principal = req.principal!;
    const scope = await scopeFor(principal, body);
    const { token, doc } = await issueApiToken({
      name: body.name,
      role: body.role,
      ...scope,
      createdBy: principal.id,
      expiresInDays: body.expiresInDays,
    });
    res.status(201).json({ token, ...tokenView(doc) });
  });

  router.delete('/tokens/:id', requireRole(...tokenManagers), requireSignedIn, async (req, res) => {
    const { id } = TokenParams.parse(req.params);
    const filter = { ...tokensInReach(req.principal!), _id: id };
    const token = await ApiToken.findOne(filter).lean<ApiTokenRecord>();
    // Another tenant's token looks exactly like a missing one.
    if (!token) throw new HttpError(404, 'TOKEN_NOT_FOUND', 'No such token');
    const revokedAt = token.revokedAt ?? new Date();
    if (!token.revokedAt) await ApiToken.updateOne({ _id: id }, { $set: { revokedAt } });
    const used = await lastUses([id]);
    res.json(tokenView({ ...token, revokedAt }, used.get(id)));
  });

  return router;
}

/** The tokens a caller lists and revokes: a partner's own and its customers'; a customer's. */
function tokensInReach(principal: Principal): Record<string, unknown> {
  if (principal.role === 'partner') {
    return { $or: [{ partnerId: principal.partnerId }, tenantScope(principal)] };
  }
  return tenantScope(principal);
}

const forbidden = (why: string) => new HttpError(403, 'FORBIDDEN', why);

/** Whom a new token acts for, refused when that reaches further than its maker. */
async function scopeFor(
  principal: Principal,
  body: CreateTokenRequest,
): Promise<{ customerId?: string; partnerId?: string }> {
  const { role } = body;
  if (role === 'operator') {
    if (principal.role !== 'operator') throw forbidden('Only operators make operator tokens');
    if (body.customerId || body.partnerId) throw invalid('An operator token has no customer');
    return {};
  }
  if (role === 'partner') {
    if (body.customerId) throw invalid('A partner token has no customer');
    if (principal.role === 'partner') {
      if (body.partnerId && body.partnerId !== principal.partnerId) {
        throw forbidden('A partner makes tokens only for itself and its customers');
      }
      return { partnerId: principal.partnerId };
    }
    if (principal.role !== 'operator') {
      throw forbidden("A customer's admin makes tokens only for its own business");
    }
    if (!body.partnerId) throw invalid('Say which partner the token acts for (partnerId)');
    if (!(await Partner.exists({ _id: body.partnerId }))) {
      throw new HttpError(404, 'PARTNER_NOT_FOUND', 'No such partner');
    }
    return { partnerId: body.partnerId };
  }
  return { customerId: await customerFor(principal, role, body) };
}

async function customerFor(
  principal: Principal,
  role: TokenRole,
  body: CreateTokenRequest,
): Promise<string> {
  if (body.partnerId) throw invalid(`A ${role.replace('_', ' ')} token has no partner`);
  const customerId =
    body.customerId ?? (principal.role === 'customer' ? principal.customerId : undefined);
  if (!customerId) throw invalid('Say which customer the token acts for (customerId)');
  if (!reachesCustomer(principal, customerId)) {
    throw forbidden(
      principal.role === 'partner'
        ? 'A partner makes tokens only for itself and its customers'
        : "A customer's admin makes tokens only for its own business",
    );
  }
  if (!(await Customer.exists({ _id: customerId }))) {
    throw new HttpError(404, 'CUSTOMER_NOT_FOUND', 'No such customer');
  }
  return customerId;
}

function invalid(message: string): HttpError {
  return new HttpError(400, 'INVALID_REQUEST', message);
}

function tokenView(token: ApiTokenRecord, lastUsedAt?: Date): TokenView {
  return {
    id: token._id,
    name: token.name,
    role: token.role,
    ...(token.customerId && { customerId: token.customerId }),
    ...(token.partnerId && { partnerId: token.partnerId }),
    createdBy: token.createdBy,
    createdAt: token.createdAt.toISOString(),
    expiresAt: token.expiresAt.toISOString(),
    ...(lastUsedAt && { lastUsedAt: lastUsedAt.toISOString() }),
    ...(token.revokedAt && { revokedAt: token.revokedAt.toISOString() }),
  };
}
