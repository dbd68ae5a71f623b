import { mkdirSync, chownSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { CheckName, CheckResult } from '../../contracts/diagnostics';
import { polkitActions } from '../../agent/linux/networkManager';
import { applyFault } from './faults';
import { labUsers, polkitd, profileName } from './piNetworkManager';
import { describeLab, failing } from './support';
import { internet, lan } from './addresses';
import { buildLab, type Lab } from './topology';

// The Pi as Raspberry Pi OS Bookworm runs it: the real NetworkManager owns
// eth0 (its DHCP client, its resolv.conf), polkit authorizes its callers.
// The real agent carries out the fixes through it, and "auto" takes that
// route exactly when NM manages the interface.

async function checks(lab: Lab, names: CheckName[], options?: { as?: number }) {
  const reply = await lab.agentCli(['check', ...names], options);
  if (!reply.ok) throw new Error(`The agent refused the checks: ${JSON.stringify(reply)}`);
  return reply.results as CheckResult[];
}

const resolvers = (lab: Lab) =>
  readFileSync(lab.resolvConf, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('nameserver '));

async function profileDns(lab: Lab) {
  const out = await lab.nmcli([
    '-g',
    'ipv4.dns,ipv4.ignore-auto-dns',
    'connection',
    'show',
    profileName,
  ]);
  return out.replace(/\n$/, '').split('\n');
}

async function piAddress(lab: Lab): Promise<{ address?: string; dynamic: boolean }> {
  const [entry] = JSON.parse(await lab.in('pi', 'ip', ['-j', '-4', 'addr', 'show', 'dev', 'eth0']));
  const info = entry?.addr_info?.[0];
  return { address: info?.local, dynamic: info !== undefined && info.valid_life_time < 4294967295 };
}

async function withLab(body: (lab: Lab) => Promise<void>): Promise<void> {
  const lab = await buildLab({ networkManager: true });
  try {
    await body(lab);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n\nLab processes:\n${lab.logs()}`);
  } finally {
    await lab.destroy();
  }
}

describeLab(
  'the real agent with NetworkManager owning the Pi',
  () => {
    it(
      'switches to the fallback resolver through NM, which keeps it; restore-dns brings the old resolvers back',
      () =>
        withLab(async (lab) => {
          await applyFault(lab, { kind: 'resolver-down' });
          expect(resolvers(lab)).toEqual([`nameserver ${lan.router}`]);
          expect(failing(await checks(lab, ['dns', 'http']))).toEqual(['dns', 'http']);

          const switched = await lab.agentCli([
            'apply',
            'switch_dns_fallback',
            JSON.stringify({ resolver: internet.resolver }),
          ]);
          expect(switched).toMatchObject({ ok: true, outcome: { executed: true } });
          expect(switched.outcome.message).toMatch(
            new RegExp(`through NetworkManager; the previous setting \\(${lan.router}\\) is kept`),
          );
          // NM wrote the Pi's resolv.conf itself, and the Pi now resolves through the fallback.
          expect(resolvers(lab)).toEqual([`nameserver ${internet.resolver}`]);
          expect(await profileDns(lab)).toEqual([internet.resolver, 'yes']);
          expect(failing(await checks(lab, ['ip_config', 'dns', 'http']))).toEqual([]);

          // NM keeps it through a new lease from the router, whose offer still names itself.
          const renewed = await lab.agentCli(['apply', 'renew_dhcp_lease', '{"interface":"eth0"}']);
          expect(renewed).toMatchObject({ ok: true, outcome: { executed: true } });
          expect(resolvers(lab)).toEqual([`nameserver ${internet.resolver}`]);
          expect(failing(await checks(lab, ['dns']))).toEqual([]);

          const restored = await lab.agentCli(['restore-dns']);
          expect(restored).toEqual({
            ok: true,
            message: `Restored the DNS settings of "${profileName}": resolvers ${lan.router}.`,
          });
          expect(resolvers(lab)).toEqual([`nameserver ${lan.router}`]);
          expect(await profileDns(lab)).toEqual(['', 'no']);
          // The router's resolver is still broken: the Pi really uses it again.
          expect(failing(await checks(lab, ['dns']))).toEqual(['dns']);
          // Nothing kept any more: a second undo changes nothing.
          expect(await lab.agentCli(['restore-dns'])).toMatchObject({
            ok: true,
            message: expect.stringMatching(/^Nothing to restore/),
          });
        }),
      180_000,
    );

    it(
      "gets a lost lease back through NM's DHCP client, from the router's dnsmasq",
      () =>
        withLab(async (lab) => {
          const before = await piAddress(lab);
          expect(before.dynamic).toBe(true);
          await applyFault(lab, { kind: 'lease-lost' });
          expect((await piAddress(lab)).address).toBeUndefined();
          expect(failing(await checks(lab, ['ip_config', 'gateway']))).toEqual([
            'gateway',
            'ip_config',
          ]);

          const renewed = await lab.agentCli(['apply', 'renew_dhcp_lease', '{"interface":"eth0"}']);
          expect(renewed).toMatchObject({ ok: true, outcome: { executed: true } });
          const after = await piAddress(lab);
          expect(renewed.outcome.message).toBe(
            `NetworkManager got a lease for ${after.address} on eth0 from ${lan.router}.`,
          );
          expect(after.dynamic).toBe(true);
          // The router's dnsmasq handed it out to the Pi's MAC.
          const mac = JSON.parse(await lab.in('pi', 'ip', ['-j', 'link', 'show', 'dev', 'eth0']))[0]
            .address;
          const leases = readFileSync(path.join(lab.dir, 'router.leases'), 'utf8');
          expect(leases).toMatch(new RegExp(`^\\d+ ${mac} ${after.address} `, 'm'));
          expect(failing(await checks(lab, ['ip_config', 'gateway', 'dns', 'internet']))).toEqual(
            [],
          );

          // A restart goes through NM too, and the Pi comes back with a lease.
          const restarted = await lab.agentCli([
            'apply',
            'restart_interface',
            '{"interface":"eth0"}',
          ]);
          expect(restarted).toMatchObject({ ok: true, outcome: { executed: true } });
          expect(restarted.outcome.message).toMatch(/^Restarted eth0 through NetworkManager\. /);
          expect(failing(await checks(lab, ['ip_config', 'gateway']))).toEqual([]);

          const flushed = await lab.agentCli(['apply', 'flush_dns', '{}']);
          expect(flushed).toMatchObject({ ok: true, outcome: { executed: true } });
          expect(flushed.outcome.message).toMatch(/^NetworkManager restarted its DNS handling/);
          expect(resolvers(lab)).toEqual([`nameserver ${lan.router}`]);
        }),
      180_000,
    );

    it(
      '"auto" follows whether NM manages eth0; "networkmanager" refuses when it does not',
      () =>
        withLab(async (lab) => {
          const renew = ['apply', 'renew_dhcp_lease', '{"interface":"eth0"}'];
          const viaNm = await lab.agentCli(renew);
          expect(viaNm.outcome.message).toMatch(/^NetworkManager got a lease/);

          // NM lets go of eth0: the agent's own DHCP client renews it.
          await lab.nmcli(['device', 'set', 'eth0', 'managed', 'no']);
          const direct = await lab.agentCli(renew);
          expect(direct).toMatchObject({ ok: true, outcome: { executed: true } });
          expect(direct.outcome.message).toMatch(
            new RegExp(`^Got a lease for 192\\.168\\.1\\.\\d+ on eth0 from ${lan.router}\\.$`),
          );

          const insisting = path.join(lab.dir, 'agent-nm.json');
          lab.writeAgentConfig(
            { network: { manager: 'networkmanager', stateDir: lab.dir } },
            insisting,
          );
          const refused = await lab.agentCli(renew, { config: insisting });
          expect(refused).toMatchObject({ ok: false });
          expect(JSON.stringify(refused)).toMatch(
            /network.manager is \\"networkmanager\\" but NetworkManager does not manage eth0 \(unmanaged\)/,
          );

          // Given back to NM, "auto" takes NM's route again.
          await lab.nmcli(['device', 'set', 'eth0', 'managed', 'yes']);
          await lab.waitForPiConnected();
          expect((await lab.agentCli(renew)).outcome.message).toMatch(
            /^NetworkManager got a lease/,
          );
        }),
      180_000,
    );

    it(
      "polkit lets the zen-agent user (with only the unit's capabilities) make these fixes, and no other user",
      () =>
        withLab(async (lab) => {
          const { agent, other } = labUsers;
          /** A config with the user's own state directory, as systemd's StateDirectory gives it. */
          const configFor = (uid: number) => {
            const stateDir = path.join(lab.dir, `state-${uid}`);
            mkdirSync(stateDir, { mode: 0o700 });
            chownSync(stateDir, uid, uid);
            const file = path.join(lab.dir, `agent-${uid}.json`);
            const journalPath = path.join(stateDir, 'journal.json');
            lab.writeAgentConfig({ network: { manager: 'auto', stateDir }, journalPath }, file);
            return file;
          };
          const fallback = JSON.stringify({ resolver: internet.resolver });

          const refused = await lab.agentCli(['apply', 'switch_dns_fallback', fallback], {
            config: configFor(other.uid),
            as: other.uid,
          });
          expect(refused).toMatchObject({ ok: false });
          expect(JSON.stringify(refused)).toMatch(/not authorized|Insufficient privileges/i);
          expect(resolvers(lab)).toEqual([`nameserver ${lan.router}`]);

          const asAgent = configFor(agent.uid);
          const run = (args: string[]) => lab.agentCli(args, { config: asAgent, as: agent.uid });
          expect(await run(['apply', 'switch_dns_fallback', fallback])).toMatchObject({ ok: true });
          expect(resolvers(lab)).toEqual([`nameserver ${internet.resolver}`]);
          expect(await run(['apply', 'flush_dns', '{}'])).toMatchObject({ ok: true });
          expect(await run(['restore-dns'])).toMatchObject({ ok: true });
          expect(resolvers(lab)).toEqual([`nameserver ${lan.router}`]);
          await applyFault(lab, { kind: 'lease-lost' });
          expect(await run(['apply', 'renew_dhcp_lease', '{"interface":"eth0"}'])).toMatchObject({
            ok: true,
          });
          expect(await run(['apply', 'restart_interface', '{"interface":"eth0"}'])).toMatchObject({
            ok: true,
          });
          expect((await piAddress(lab)).dynamic).toBe(true);

          // Each granted action for zen-agent only; anything else NM guards stays refused.
          const as = async (uid: number, args: string[]) =>
            lab.nmcli(args, { uid }).then(
              () => 'allowed',
              (err: Error) =>
                /not authorized|Insufficient privileges|access denied|PermissionDenied/i.test(
                  err.message,
                )
                  ? 'refused'
                  : err.message,
            );
          const granted = {
            'org.freedesktop.NetworkManager.network-control': ['device', 'reapply', 'eth0'],
            'org.freedesktop.NetworkManager.settings.modify.system': [
              ...['connection', 'modify', profileName, 'ipv4.dns-search', 'lab.example'],
            ],
            'org.freedesktop.NetworkManager.reload': ['general', 'reload', 'dns-rc'],
          };
          expect(Object.keys(granted).sort()).toEqual([...polkitActions].sort());
          for (const args of Object.values(granted)) {
            expect(await as(other.uid, args)).toBe('refused');
            expect(await as(agent.uid, args)).toBe('allowed');
          }
          // settings.modify.hostname and enable-disable-network: not the agent's business.
          expect(await as(agent.uid, ['general', 'hostname', 'pi-renamed'])).toBe('refused');
          expect(await as(agent.uid, ['networking', 'off'])).toBe('refused');
          expect(await lab.nmcli(['-t', '-f', 'DEVICE,STATE', 'device', 'status'])).toMatch(
            /^eth0:connected$/m,
          );
        }),
      240_000,
    );
  },
  ['NetworkManager', 'nmcli', 'dbus-daemon', polkitd, 'setpriv'],
);
