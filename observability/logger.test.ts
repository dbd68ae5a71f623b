import { Writable } from 'node:stream';
import pino from 'pino';
import { temporalLogger } from './logger';

// The SDK's logger takes pino's level: a line pino would drop is never built, and what pino
// keeps still arrives with its metadata.

function capture(level: string) {
  const lines: { level: number; msg: string; caseId?: string }[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino({ level }, sink), lines };
}

test.each([
  ['trace', 'TRACE'],
  ['debug', 'DEBUG'],
  ['info', 'INFO'],
  ['warn', 'WARN'],
  ['error', 'ERROR'],
  ['fatal', 'ERROR'],
  ['silent', 'ERROR'],
])('pino at %s: the SDK logs from %s up', (pinoLevel, sdkLevel) => {
  expect(temporalLogger(capture(pinoLevel).logger).level).toBe(sdkLevel);
});

test('at warn, a case step at info is dropped and a warning reaches pino with its metadata', async () => {
  const { logger, lines } = capture('warn');
  const sdk = temporalLogger(logger);
  sdk.info('case step', { caseId: 'c-1' });
  sdk.warn('activity failed', { caseId: 'c-1' });
  await new Promise((resolve) => setImmediate(resolve));
  expect(lines).toEqual([
    expect.objectContaining({ level: 40, msg: 'activity failed', caseId: 'c-1' }),
  ]);
});
