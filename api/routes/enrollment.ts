import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import { CreateEnrollmentCodeRequest, EnrollDeviceRequest } from '../../contracts/api';
import { EnrollmentCodeDoc, Site } from '../../store/models';
import type { RequireRole } from '../auth';
import { assertNewDevice, cloudEndpoint, createDevice, siteFor } from '../devices';
import { HttpError } from '../errors';

// One-time enrollment codes: a person asks for one for a site and reads it to
// the Pi, which trades it for its device token. A code lasts 15 minutes, works
// once, and is burned after a few wrong tries against it.

export const enrollmentCodeTtlMs = 15 * 60_000;
export const maxEnrollmentAttempts = 5;
// No I, O, 0 or 1: codes are read aloud and typed.
const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function newCode(): string {
  return Array.from({ length: 8 }, () => alphabet[randomInt(alphabet.length)]).join('');
}

function codeHash(salt: string, code: string): string {
  return createHash('sha256').update(`${salt}:${code}`).digest('hex');
}

function sameHash(a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

type CodeDoc = {
  _id: string;
  used?: boolean | null;
  attempts?: number | null;
  expiresAt: Date;
};

const isDead = (doc: CodeDoc) =>
  Boolean(doc.used) || doc.expiresAt <= new Date() || (doc.attempts ?? 0) >= maxEnrollmentAttempts;

function invalid(): HttpError {
  return new HttpError(403, 'ENROLLMENT_CODE_INVALID', 'Unknown or wrong enrollment code');
}

export function enrollmentRouter(requireRole: RequireRole): Router {
  const router = Router();

  router.post(
    '/devices/enrollment-codes',
    requireRole('customer_admin', 'partner', 'operator'),
    async (req, res) => {
      const body = CreateEnrollmentCodeRequest.parse(req.body ?? {});
      const principal = req.principal!;
      // A customer's admin may leave it out (their first site); whoever serves many names it.
      if (principal.role !== 'customer' && !body.siteId) {
        throw new HttpError(400, 'SITE_REQUIRED', 'Name the site the box is for: {siteId}');
      }
      const site = await siteFor(principal, body.siteId);
      const expiresAt = new Date(Date.now() + enrollmentCodeTtlMs);
      // The first half finds the code; a clash with a live code draws again.
      for (let draw = 0; draw < 5; draw++) {
        const code = newCode();
        const lookup = code.slice(0, 4);
        const clash = await EnrollmentCodeDoc.findOne({ lookup }).lean();
        if (clash && !isDead(clash)) continue;
        if (clash) await EnrollmentCodeDoc.deleteOne({ _id: clash._id });
        const salt = randomBytes(16).toString('hex');
        try {
          await EnrollmentCodeDoc.create({
            lookup,
            salt,
            codeHash: codeHash(salt, code),
            customerId: site.customerId,
            siteId: site._id,
            createdBy: principal.id,
            expiresAt,
          });
        } catch {
          continue; // Another request took this lookup a moment ago.
        }
        res.status(201).json({
          code: `${lookup}-${code.slice(4)}`,
          siteId: site._id,
          expiresAt: expiresAt.toISOString(),
          // The address the box's installer is given (`--api`): the one this request reached.
          apiUrl: `${req.protocol}://${req.get('host')}`,
        });
        return;
      }
      throw new HttpError(503, 'ENROLLMENT_BUSY', 'No enrollment code is free; try again');
    },
  );

  // No bearer token: the code is the credential.
  router.post('/device/enroll', async (req, res) => {
    const body = EnrollDeviceRequest.parse(req.body);
    const found = await EnrollmentCodeDoc.findOne({ lookup: body.code.slice(0, 4) }).lean();
    if (!found) throw invalid();
    if ((found.attempts ?? 0) >= maxEnrollmentAttempts) {
      throw new HttpError(
        410,
        'ENROLLMENT_CODE_LOCKED',
        'Too many wrong tries: this enrollment code no longer works; ask for a new one',
      );
    }
    if (!sameHash(codeHash(found.salt, body.code), found.codeHash)) {
      await EnrollmentCodeDoc.updateOne({ _id: found._id }, { $inc: { attempts: 1 } });
      throw invalid();
    }
    if (found.used) {
      throw new HttpError(410, 'ENROLLMENT_CODE_USED', 'This enrollment code was used already');
    }
    if (found.expiresAt <= new Date()) {
      throw new HttpError(410, 'ENROLLMENT_CODE_EXPIRED', 'This enrollment code has expired');
    }
    const site = await Site.findById(found.siteId).lean();
    if (!site) throw new HttpError(404, 'SITE_NOT_FOUND', 'The site of this code is gone');
    // Checked before the code is spent, so a clash leaves the code usable.
    await assertNewDevice(site.customerId, body);
    const claimed = await EnrollmentCodeDoc.updateOne(
      { _id: found._id, used: false },
      { $set: { used: true, usedAt: new Date(), deviceId: body.deviceId } },
    );
    if (claimed.modifiedCount !== 1) {
      throw new HttpError(410, 'ENROLLMENT_CODE_USED', 'This enrollment code was used already');
    }
    let deviceToken: string;
    try {
      deviceToken = await createDevice(site, body);
    } catch (err) {
      // The device was not created: the code stays good for another try.
      await EnrollmentCodeDoc.updateOne(
        { _id: found._id },
        { $set: { used: false }, $unset: { usedAt: 1, deviceId: 1 } },
      );
      throw err;
    }
    res.status(201).json({
      status: 'registered',
      sessionId: null,
      cloudEndpoint: cloudEndpoint(req),
      deviceToken,
    });
  });

  return router;
}
