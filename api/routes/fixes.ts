import { Router } from 'express';
import { z } from 'zod';
import { actionIds, remediationCatalog } from '../../contracts/remediation';
import type { RequireRole } from '../auth';

// The remediation catalog for a technician's proposal form: each fix in words, with the
// parameters it takes as JSON Schema so the portal can build a form without its own copy.

/** One fix as GET /api/fixes describes it. */
export const FixView = z.object({
  action: z.enum(actionIds),
  title: z.string(),
  /** What it acts on, in words. */
  what: z.string(),
  /** How it is undone. */
  undo: z.string(),
  risk: z.string(),
  /** How long the network is busy with it. */
  downtime: z.string(),
  /** box: only the Zen box's own settings; office: equipment every device goes through. */
  repairs: z.enum(['box', 'office']),
  params: z.record(z.string(), z.unknown()),
});
export const FixesResponse = z.object({ fixes: z.array(FixView) });
export type FixesResponse = z.infer<typeof FixesResponse>;

const REACH = {
  box: "Changes only the Zen box's own settings: the office's computers keep theirs.",
  office: 'Acts on equipment every device in the office goes through.',
} as const;

/** The catalog as plain data; the same for every caller, so built once. */
export function fixCatalog(): FixesResponse {
  return {
    fixes: actionIds.map((action) => {
      const fix = remediationCatalog[action];
      const params: Record<string, unknown> = z.toJSONSchema(fix.params, { io: 'input' });
      delete params.$schema;
      return {
        action,
        title: fix.title,
        what: REACH[fix.repairs],
        undo: fix.undo,
        risk: fix.risk,
        downtime: fix.estimatedDuration,
        repairs: fix.repairs,
        params,
      };
    }),
  };
}

export function fixesRouter(requireRole: RequireRole): Router {
  const router = Router();
  const catalog = fixCatalog();
  router.get('/fixes', requireRole('operator', 'partner'), (_req, res) => {
    res.json(catalog);
  });
  return router;
}
