import { problemLine } from '../../scripts/serviceLog';

// What of a server's output `npm start` shows in the terminal (the log file keeps all of it).

describe("a server's output in the terminal", () => {
  const json = (fields: Record<string, unknown>) => JSON.stringify({ time: 'now', ...fields });

  it('keeps routine lines and refused requests to the log file', () => {
    expect(problemLine('api', json({ level: 30, msg: 'API listening' }), false)).toBeUndefined();
    const request = { msg: 'request', method: 'GET', path: '/api/cases', status: 200 };
    expect(problemLine('api', json({ level: 30, ...request }), false)).toBeUndefined();
    expect(problemLine('api', json({ level: 40, ...request, status: 401 }), false)).toBeUndefined();
    expect(problemLine('portal', 'Listening on http://127.0.0.1:3000', false)).toBeUndefined();
  });

  it('shows warnings, errors and failed requests in words', () => {
    expect(
      problemLine(
        'worker',
        json({ level: 40, msg: 'Temporal is slow', err: { message: 'x' } }),
        false,
      ),
    ).toBe('[worker] warning: Temporal is slow (x)');
    expect(
      problemLine(
        'api',
        json({ level: 50, msg: 'request', method: 'POST', path: '/api/cases', status: 500 }),
        false,
      ),
    ).toBe('[api] error: POST /api/cases failed with 500');
    expect(problemLine('api', 'TypeError: boom', true)).toBe('[api] TypeError: boom');
  });
});
