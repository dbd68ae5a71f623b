import { z } from 'zod';

/** Which way the box reaches the cloud: the office network, or its own LTE link. */
export const CloudPath = z.enum(['wired', 'lte']);
export type CloudPath = z.infer<typeof CloudPath>;
