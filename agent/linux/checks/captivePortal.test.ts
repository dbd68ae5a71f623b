import { judgePage } from './captivePortal';

describe('the captive_portal verdict', () => {
  it('finds nothing on the expected page', () => {
    expect(judgePage({ status: 200, headers: {}, body: 'success\n' }, 'success')).toEqual({
      findings: [],
      proxyHeaders: [],
      location: undefined,
      bodyExcerpt: undefined,
    });
  });

  it('finds a portal: a redirect to a login page', () => {
    const page = {
      status: 302,
      headers: { location: 'http://192.168.1.1/login' },
      body: '<a href="/login">Log in</a>',
    };
    expect(judgePage(page, 'success')).toMatchObject({
      findings: ['redirected', 'different-body'],
      location: 'http://192.168.1.1/login',
      bodyExcerpt: '<a href="/login">Log in</a>',
    });
  });

  it('finds a login page served in place, and an error status', () => {
    expect(
      judgePage({ status: 200, headers: {}, body: 'Please log in' }, 'success').findings,
    ).toEqual(['different-body']);
    expect(judgePage({ status: 403, headers: {}, body: 'success' }, 'success').findings).toEqual([
      'unexpected-status',
    ]);
  });

  it('finds a transparent proxy by its headers, bounded', () => {
    const judged = judgePage(
      {
        status: 200,
        headers: { via: '1.1 squid', 'x-cache': 'MISS'.repeat(100) },
        body: 'success',
      },
      'success',
    );
    expect(judged.findings).toEqual(['proxy-headers']);
    expect(judged.proxyHeaders.map((h) => h.name)).toEqual(['via', 'x-cache']);
    expect(judged.proxyHeaders[1]!.value).toHaveLength(256);
  });

  it('keeps only the start of a different body', () => {
    const judged = judgePage({ status: 200, headers: {}, body: 'x'.repeat(5000) }, 'success');
    expect(judged.bodyExcerpt).toHaveLength(200);
  });
});
