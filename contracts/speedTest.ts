import { z } from 'zod';

// The speed-test protocol the throughput and latency_under_load checks speak:
// the cloud serves it to devices (api/routes/speedTest.ts), and any server that
// speaks it can stand in (the lab's web server serves the same handlers).
//
//   GET  <path>?bytes=N   streams N bytes of filler (N capped below)
//   POST <path>?bytes=N   reads and discards up to N bytes; while they arrive it
//                         answers with progress lines (newline-delimited JSON,
//                         one every `progressMs`), the last one with done: true
//
// The progress lines let the box measure its upload by what reached the server,
// however much its own socket buffers still hold when its time is up.

/** The cloud's speed-test route (device token required). */
export const speedTestPath = '/api/device/speed-test';

/** The most one request moves, either way: a box cannot make the cloud send or take more. */
export const maxSpeedTestBytes = 50_000_000;

export const progressMs = 250;

export const SpeedTestQuery = z
  .object({ bytes: z.coerce.number().int().min(1).max(maxSpeedTestBytes) })
  .strict();

export const SpeedTestProgress = z
  .object({
    /** Bytes that arrived so far. */
    bytes: z.number().int().nonnegative().max(maxSpeedTestBytes),
    /** Milliseconds since the first byte arrived. */
    ms: z.number().nonnegative().max(3_600_000),
    done: z.boolean().optional(),
  })
  .strict();
export type SpeedTestProgress = z.infer<typeof SpeedTestProgress>;
