import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  OpenWrtClient,
  RouterError,
  handedOut,
  optionValues,
  wanStatus,
  withOption,
} from './openwrt';

// The OpenWrt client against a loopback stand-in that answers as uhttpd + rpcd do,
// and the DHCP option lists as OpenWrt keeps them.

describe("the router's DHCP options", () => {
  const options = ['6,192.168.1.2,1.1.1.1', 'option:router,192.168.1.254', '42,192.168.1.1'];

  it('reads the gateway and DNS options in either spelling', () => {
    expect(optionValues(options, 'dns')).toEqual(['192.168.1.2', '1.1.1.1']);
    expect(optionValues(options, 'gateway')).toEqual(['192.168.1.254']);
    expect(optionValues(['42,192.168.1.1'], 'dns')).toBeUndefined();
  });

  it('hands out the router itself where no option is set', () => {
    expect(handedOut([], '192.168.1.1')).toEqual({
      gateway: '192.168.1.1',
      gatewaySet: false,
      dnsServers: ['192.168.1.1'],
      dnsSet: false,
    });
    expect(handedOut(options, '192.168.1.1')).toMatchObject({
      gateway: '192.168.1.254',
      gatewaySet: true,
      dnsServers: ['192.168.1.2', '1.1.1.1'],
    });
  });

  it('replaces or removes one option and keeps the others', () => {
    expect(withOption(options, 'dns', ['203.0.113.53'])).toEqual([
      'option:router,192.168.1.254',
      '42,192.168.1.1',
      '6,203.0.113.53',
    ]);
    expect(withOption(options, 'gateway', undefined)).toEqual([
      '6,192.168.1.2,1.1.1.1',
      '42,192.168.1.1',
    ]);
  });
});

describe('the ubus JSON-RPC client', () => {
  let server: http.Server;
  let url: string;
  let sessions: string[] = [];
  const calls: unknown[][] = [];
  let answer: (params: unknown[]) => unknown;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const { id, params } = JSON.parse(body) as { id: number; params: unknown[] };
        calls.push(params);
        let reply: unknown;
        if (params[1] === 'session' && params[2] === 'login') {
          const args = params[3] as { password: string };
          if (args.password !== 'secret') reply = { result: [6] };
          else {
            const sid = `${sessions.length}`.padStart(32, 'a');
            sessions.push(sid);
            const acls = { ubus: { 'network.interface.wan': ['status'] }, uci: { dhcp: ['read'] } };
            reply = { result: [0, { ubus_rpc_session: sid, timeout: 300, acls }] };
          }
        } else if (!sessions.includes(params[0] as string)) {
          reply = { error: { code: -32002, message: 'Access denied' } };
        } else reply = answer(params);
        res.end(JSON.stringify({ jsonrpc: '2.0', id, ...(reply as object) }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    sessions = [];
    calls.length = 0;
  });

  const client = (password = 'secret') =>
    new OpenWrtClient({ url, username: 'zen-agent', password, timeoutMs: 1000 });

  it("reads the WAN's status: up only with an address", async () => {
    answer = () => ({
      result: [
        0,
        { up: true, uptime: 812.4, 'ipv4-address': [{ address: '100.64.9.2', mask: 22 }] },
      ],
    });
    expect(await wanStatus(client())).toEqual({
      up: true,
      address: '100.64.9.2',
      uptimeSeconds: 812,
    });
    answer = () => ({ result: [0, { up: true, 'ipv4-address': [] }] });
    expect(await wanStatus(client())).toMatchObject({ up: false });
  });

  it('logs in again once when the session expired', async () => {
    answer = () => ({ result: [0, { up: false }] });
    const c = client();
    await c.login();
    sessions = []; // the router forgot it (timeout, reboot)
    await wanStatus(c);
    expect(calls.filter((p) => p[2] === 'login')).toHaveLength(2);
  });

  it('says clearly when the login is refused, a call is denied or the ACL lacks a grant', async () => {
    await expect(client('wrong').login()).rejects.toMatchObject({
      problem: 'login-refused',
      message: expect.stringMatching(/refused the login of zen-agent \(permission denied\)/),
    });
    answer = () => ({ result: [6] });
    await expect(client().call('uci', 'get', { config: 'dhcp' })).rejects.toMatchObject({
      problem: 'permission-denied',
      message: expect.stringMatching(/uci get with "permission denied" \(6\)/),
    });
    const c = client();
    await c.login();
    expect(() => c.require([{ kind: 'uci', object: 'dhcp', what: 'write' }])).toThrow(
      /does not grant uci dhcp write \(rpcd acl\.d\)/,
    );
    expect(() =>
      c.require([{ kind: 'ubus', object: 'network.interface.wan', what: 'status' }]),
    ).not.toThrow();
  });

  it('reports a router that does not answer, or answers something else', async () => {
    const silent = new OpenWrtClient({
      url: 'http://127.0.0.1:9',
      username: 'u',
      password: 'p',
      timeoutMs: 500,
    });
    await expect(silent.login()).rejects.toBeInstanceOf(RouterError);
    await expect(silent.login()).rejects.toMatchObject({ problem: 'unreachable' });
    answer = () => ({ result: 'nonsense' });
    await expect(client().call('system', 'board')).rejects.toMatchObject({ problem: 'bad-answer' });
  });
});
