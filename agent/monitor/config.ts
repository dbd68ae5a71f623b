import { z } from 'zod';

// The monitor's section of the agent's config file (agent/config.ts `monitor`),
// documented in agent/README.md "The monitor". The defaults suit a real Pi: a probe
// round a minute costs a few packets, well under a megabyte or two a day.

const ipv4 = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/, 'an IPv4 address like 1.1.1.1');

export const DampingConfig = z
  .object({
    /** Added to the line's penalty each time a fault is confirmed (a flap). */
    penaltyPerFlap: z.number().positive().max(100_000).default(1000),
    /** The penalty halves in this time. */
    halfLifeSeconds: z.number().positive().max(86_400).default(120),
    /**
     * Above this penalty the line is suppressed: it stays reported in fault. Below one
     * flap's penalty by default, so a short blip's recovery waits about a half-life and a
     * line that keeps flapping stays one fault (one case, one alert) until it settles.
     */
    suppressAbove: z.number().positive().max(1_000_000).default(900),
    /** A suppressed line is released once its penalty decays below this. */
    reuseBelow: z.number().positive().max(1_000_000).default(500),
  })
  .strict()
  .refine((d) => d.reuseBelow < d.suppressAbove, {
    message: 'reuseBelow must be lower than suppressAbove',
    path: ['reuseBelow'],
  });
export type DampingConfig = z.infer<typeof DampingConfig>;

export const MonitorConfig = z
  .object({
    enabled: z.boolean().default(true),
    /** One probe round and one summary per interval. */
    intervalSeconds: z.number().int().min(1).max(3600).default(60),
    /** The HTTP probe runs every this many intervals. */
    httpEvery: z.number().int().min(1).max(1440).default(5),
    /** A small plain page: the captive-portal check's page when absent. */
    httpUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** Internet addresses pinged each round; the internet fails only when none answers. */
    targets: z.array(ipv4).min(1).max(8).default(['1.1.1.1', '8.8.8.8', '9.9.9.9']),
    /** Echo requests per target per round. */
    pingsPerTarget: z.number().int().min(1).max(10).default(1),
    /** The name looked up through the office's resolver; the config's dnsTestName when absent. */
    dnsName: z.string().min(1).max(253).optional(),
    /** After a failing round, the next ones follow this quickly until the judge has decided. */
    recheckSeconds: z.number().int().min(1).max(300).default(10),
    /** Consecutive failing rounds that confirm a fault, passing ones that clear it. */
    confirmAfter: z.number().int().min(1).max(20).default(3),
    clearAfter: z.number().int().min(1).max(20).default(3),
    damping: DampingConfig.default(DampingConfig.parse({})),
    /** Where the unacknowledged intervals wait; the agent's state directory when absent. */
    queueFile: z.string().min(1).optional(),
    /** How many intervals wait at most (48 hours of minutes); the oldest go first. */
    queueLimit: z.number().int().min(10).max(20_000).default(2880),
  })
  .strict();
export type MonitorConfig = z.infer<typeof MonitorConfig>;
