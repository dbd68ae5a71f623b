import path from 'node:path';
import { writeFileSync } from 'node:fs';
import type { CheckResult } from '../../contracts/diagnostics';
import { describeLab } from './support';
import { lan } from './addresses';
import { buildLab, type Lab } from './topology';

// The router's OpenWrt API in the lab, beyond the scenarios: a change that does not
// work from the LAN is rolled back and never confirmed, the router rolls back by
// itself when nobody confirms, router-undo restores what the box changed, and a
// login or a gateway the box must not use is refused with a clear reason.

type RouterApiResult = Extract<CheckResult, { check: 'router_api' }>;

async function check(lab: Lab, names: string[], config?: string): Promise<CheckResult[]> {
  const reply = await lab.agentCli(['check', ...names], config ? { config } : {});
  return reply.results as CheckResult[];
}

async function handedOutDns(lab: Lab): Promise<string[]> {
  const [api] = (await check(lab, ['router_api'])) as RouterApiResult[];
  return api!.data.dhcp!.dnsServers;
}

/** As the router's administrator: a DHCP change applied with rollback and never confirmed. */
const unconfirmed = `
const [url, username, password] = process.argv.slice(1);
const rpc = async (sid, object, method, args) => {
  const res = await fetch(url, { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'call', params: [sid, object, method, args] }) });
  const reply = await res.json();
  if (!reply.result || reply.result[0] !== 0) throw new Error(JSON.stringify(reply));
  return reply.result[1];
};
(async () => {
  const { ubus_rpc_session: sid } = await rpc('0'.repeat(32), 'session', 'login', { username, password });
  await rpc(sid, 'uci', 'set', { config: 'dhcp', section: 'lan', values: { dhcp_option: ['6,203.0.113.99'] } });
  await rpc(sid, 'uci', 'apply', { rollback: true, timeout: 2 });
})().catch((err) => { console.error(err.message); process.exit(1); });
`;

describeLab("the router's OpenWrt API in the lab", () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await buildLab({ routerApi: true });
  }, 60_000);
  afterAll(() => lab?.destroy());

  it('rolls back a change that does not work from the LAN, and never confirms it', async () => {
    const applied = await lab.agentCli([
      'apply',
      'router_set_dhcp_dns',
      JSON.stringify({ servers: ['203.0.113.99'] }),
    ]);
    expect(applied).toMatchObject({
      ok: false,
      error: expect.stringMatching(
        /did not work from the office network \(203\.0\.113\.99 did not answer .*\); the router rolled it back/,
      ),
    });
    expect(await handedOutDns(lab)).toEqual([lan.router]);
    // The box renewed again: it is back on the router's resolver.
    const [dns] = await check(lab, ['dns']);
    expect(dns).toMatchObject({ ok: true, data: { configured: { server: lan.router } } });
    expect(await lab.agentCli(['router-undo'])).toMatchObject({
      ok: true,
      message: expect.stringMatching(/Nothing to restore/),
    });
  }, 120_000);

  it('rolls back by itself when nobody confirms', async () => {
    const { username, password } = lab.routerLogins.admin;
    await lab.in('rt', process.execPath, [
      '-e',
      unconfirmed,
      `http://${lan.router}/ubus`,
      username,
      password,
    ]);
    expect(await handedOutDns(lab)).toEqual(['203.0.113.99']);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await handedOutDns(lab)).toEqual([lan.router]);
  }, 60_000);

  it('keeps the setting before its change for router-undo', async () => {
    const applied = await lab.agentCli([
      'apply',
      'router_set_dhcp_dns',
      JSON.stringify({ servers: ['203.0.113.53'] }),
    ]);
    expect(applied).toMatchObject({ ok: true, outcome: { executed: true } });
    expect(await handedOutDns(lab)).toEqual(['203.0.113.53']);
    expect(await lab.agentCli(['router-undo'])).toMatchObject({
      ok: true,
      message: expect.stringMatching(/gateway 192\.168\.1\.1, DNS 192\.168\.1\.1/),
    });
    expect(await handedOutDns(lab)).toEqual([lan.router]);
  }, 120_000);

  it("refuses a gateway that is not the router's own address", async () => {
    const applied = await lab.agentCli([
      'apply',
      'router_set_dhcp_gateway',
      JSON.stringify({ gateway: '192.168.1.254' }),
    ]);
    expect(applied).toMatchObject({
      ok: false,
      error: expect.stringMatching(
        /192\.168\.1\.254 is not the router's own LAN address \(192\.168\.1\.1\)/,
      ),
    });
  }, 60_000);

  it('reports a refused login as the reason, not as a broken network', async () => {
    const wrong = path.join(lab.dir, 'wrong-password');
    writeFileSync(wrong, 'not-the-password');
    const config = path.join(lab.dir, 'agent-wrong-password.json');
    lab.writeAgentConfig(
      {
        router: {
          kind: 'openwrt',
          url: `http://${lan.router}`,
          username: lab.routerLogins.agent.username,
          passwordFile: wrong,
        },
      },
      config,
    );
    const [api] = await check(lab, ['router_api'], config);
    expect(api).toMatchObject({
      ok: false,
      data: { configured: true, reachable: false, problem: 'login-refused' },
    });
  }, 60_000);
});
