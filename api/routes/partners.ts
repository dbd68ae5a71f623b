import { Router } from 'express';
import { CreatePartnerRequest, InvitePartnerPersonRequest } from '../../contracts/tenancy';
import type { Logger } from '../../observability/logger';
import { Partner } from '../../store/partners';
import { requireSignedIn, type RequireRole } from '../auth';
import { HttpError } from '../errors';
import { invite, mailAfterAnswer } from '../tenancy/invitations';
import { param } from '../tenancy/scope';

// Partners (managed service providers) and their people: operators only.

export function partnersRouter(requireRole: RequireRole, logger: Logger): Router {
  const router = Router();
  const operators = requireRole('operator');

  router.post('/partners', operators, async (req, res) => {
    const { name } = CreatePartnerRequest.parse(req.body);
    const partner = (await Partner.create({ name })).toObject();
    logger.info({ partnerId: partner._id, by: req.principal!.id }, 'partner added');
    res.status(201).json({ partner: partnerView(partner) });
  });

  router.get('/partners', operators, async (_req, res) => {
    const partners = await Partner.find().sort({ name: 1 }).limit(1000).lean();
    res.json({ partners: partners.map(partnerView) });
  });

  router.post('/partners/:id/people', operators, requireSignedIn, async (req, res) => {
    const body = InvitePartnerPersonRequest.parse(req.body);
    const partner = await Partner.findById(param(req.params.id)).lean();
    if (!partner) throw new HttpError(404, 'PARTNER_NOT_FOUND', 'No such partner');
    const mailing = await invite(body, {
      kind: 'partner',
      partnerId: partner._id,
      partnerName: partner.name,
    });
    mailAfterAnswer(res, mailing, logger);
    res.status(201).json({
      invitation: { email: body.email, ...(body.name && { name: body.name }), role: 'partner' },
    });
  });

  return router;
}

function partnerView(partner: { _id: string; name: string; createdAt?: Date }) {
  return {
    id: partner._id,
    name: partner.name,
    createdAt: (partner.createdAt ?? new Date(0)).toISOString(),
  };
}
