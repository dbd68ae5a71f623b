import { randomUUID } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exec } from './shell';

// The Pi as Raspberry Pi OS Bookworm runs it: NetworkManager owns eth0 (DHCP
// and resolv.conf), authorizing non-root callers through polkit. The real
// NetworkManager, dbus-daemon and polkitd run inside the Pi's namespace, each
// in its own mount namespace (`ip netns exec` gives one) where the host's
// state stays out of reach:
//   - a private system bus: its socket is in the lab's directory, and only
//     processes given its address (DBUS_SYSTEM_BUS_ADDRESS) reach it;
//   - NM: keyfile profiles, state and /run/NetworkManager in the lab's
//     directory, a tmpfs over /run, resolv.conf left alone (rc-manager
//     unmanaged: its own copy is /run/NetworkManager/resolv.conf), no hostname
//     changes, and only eth0 managed. /sys is read-only to it, so it reads the
//     links from the kernel instead of waiting for a udev that is not there;
//   - a passwd with the agent's user (and another) bind-mounted over
//     /etc/passwd for the three of them, so a uid maps to `zen-agent` as on the Pi;
//   - polkitd with the agent's deployed rules file as its only local rule.

/** The users the polkit rule is about, known only inside the lab's daemons. */
export const labUsers = {
  agent: { name: 'zen-agent', uid: 64123 },
  other: { name: 'zen-other', uid: 64124 },
};
export const profileName = 'Wired connection 1';
export const polkitd = '/usr/lib/polkit-1/polkitd';
const rulesFile = path.resolve(__dirname, '..', '..', 'agent', 'deploy', 'zen-agent.rules');

type Start = (name: string, command: string, args: string[]) => void;

export interface PiNetworkManagerPaths {
  dir: string;
  socket: string;
  /** What NM writes as the Pi's resolv.conf. */
  resolvConf: string;
}

export function nmPaths(labDir: string): PiNetworkManagerPaths {
  const dir = path.join(labDir, 'nm');
  return {
    dir,
    socket: path.join(labDir, 'bus.sock'),
    resolvConf: path.join(dir, 'run', 'resolv.conf'),
  };
}

const busConfig = (
  socket: string,
) => `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
  </policy>
  <!-- The services' own policies (NetworkManager, polkit), as on the Pi. -->
  <includedir>/usr/share/dbus-1/system.d</includedir>
</busconfig>
`;

const nmConfig = (connections: string) => `[main]
plugins=keyfile
rc-manager=unmanaged
dns=default
systemd-resolved=false
hostname-mode=none
auth-polkit=true

[keyfile]
path=${connections}
unmanaged-devices=except:interface-name:eth0

[connectivity]
enabled=false
`;

const wiredProfile = `[connection]
id=${profileName}
uuid=${randomUUID()}
type=ethernet
interface-name=eth0
autoconnect=true

[ipv4]
method=auto

[ipv6]
method=disabled
`;

/**
 * Starts the bus, polkitd and NetworkManager in the Pi's namespace, each once the one
 * before it is on the bus: a polkitd that finds no bus ends, and NM asking a polkit not
 * yet there refuses every caller ("PolicyKit1 was not provided").
 */
export async function startPiNetworkManager(
  labDir: string,
  start: Start,
  logs: () => string,
): Promise<void> {
  const { dir, socket } = nmPaths(labDir);
  const at = (name: string) => path.join(dir, name);
  for (const sub of ['conf.d', 'connections', 'var', 'run', 'rules'])
    mkdirSync(at(sub), { recursive: true });
  // Other users (the polkit test's) reach the bus socket through the lab's directory.
  chmodSync(labDir, 0o711);
  writeFileSync(at('bus.conf'), busConfig(socket));
  writeFileSync(at('NetworkManager.conf'), nmConfig(at('connections')));
  writeFileSync(path.join(at('connections'), 'wired.nmconnection'), wiredProfile, { mode: 0o600 });
  copyFileSync(rulesFile, path.join(at('rules'), 'zen-agent.rules'));
  const users = Object.values(labUsers)
    .map(({ name, uid }) => `${name}:x:${uid}:${uid}::/nonexistent:/usr/sbin/nologin\n`)
    .join('');
  writeFileSync(at('passwd'), readFileSync('/etc/passwd', 'utf8') + users);

  const ownPasswd = `mount --bind ${at('passwd')} /etc/passwd`;
  const shell = (script: string) => ['-euc', script];
  start(
    'dbus',
    'sh',
    shell(`${ownPasswd}; exec dbus-daemon --config-file=${at('bus.conf')} --nofork --nopidfile`),
  );
  await waitForBusName(socket, 'org.freedesktop.DBus', logs);
  const bus = `export DBUS_SYSTEM_BUS_ADDRESS=unix:path=${socket}`;
  start(
    'polkitd',
    'sh',
    shell(
      `${bus}; ${ownPasswd}; mount --bind ${at('rules')} /etc/polkit-1/rules.d; exec ${polkitd} --no-debug`,
    ),
  );
  await waitForBusName(socket, 'org.freedesktop.PolicyKit1', logs);
  start(
    'NetworkManager',
    'sh',
    shell(
      [
        bus,
        ownPasswd,
        'mount -o remount,bind,ro /sys',
        `mount --bind ${at('var')} /var/lib/NetworkManager`,
        'mount -t tmpfs -o mode=0755 tmpfs /run',
        'mkdir /run/NetworkManager',
        `mount --bind ${at('run')} /run/NetworkManager`,
        [
          'exec NetworkManager --debug --log-level=INFO',
          `--config=${at('NetworkManager.conf')}`,
          `--config-dir=${at('conf.d')}`,
          `--system-config-dir=${at('conf.d')}`,
          `--intern-config=${at('var/NetworkManager-intern.conf')}`,
          `--state-file=${at('var/NetworkManager.state')}`,
        ].join(' '),
      ].join('; '),
    ),
  );
}

/** Until `name` has an owner on the lab's bus (the bus itself owns org.freedesktop.DBus). */
async function waitForBusName(socket: string, name: string, logs: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const reply = await exec('env', [
      `DBUS_SYSTEM_BUS_ADDRESS=unix:path=${socket}`,
      ...['dbus-send', '--system', '--print-reply', '--dest=org.freedesktop.DBus'],
      ...['/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', `string:${name}`],
    ]).catch((err: Error) => err.message);
    if (/boolean true/.test(reply)) return;
    if (Date.now() > deadline)
      throw new Error(`${name} is not on the lab's bus: ${reply}\n${logs()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** nmcli in the Pi's namespace on the lab's bus, as root or as one of the lab's users. */
export function labNmcli(
  ns: string,
  labDir: string,
  args: string[],
  { uid }: { uid?: number } = {},
): Promise<string> {
  const asUser =
    uid === undefined ? [] : ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups'];
  return exec('ip', [
    ...[
      'netns',
      'exec',
      ns,
      'env',
      'LC_ALL=C',
      `DBUS_SYSTEM_BUS_ADDRESS=unix:path=${nmPaths(labDir).socket}`,
    ],
    ...asUser,
    'nmcli',
    ...args,
  ]);
}
