import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgentConfig } from '../config';
import { managedByNm, networkRoute, parseDeviceStatus, terseFields } from './networkManager';

// Reading nmcli's answers and choosing the route. The route against a real
// NetworkManager is proven in test/lab/networkManager.test.ts.

describe('nmcli terse output', () => {
  it('splits on unescaped colons only, so a profile name may hold colons and backslashes', () => {
    expect(terseFields('eth0:connected:Office\\: 2nd \\\\ floor:1c1e')).toEqual([
      'eth0',
      'connected',
      'Office: 2nd \\ floor',
      '1c1e',
    ]);
    expect(terseFields('lo:unmanaged::')).toEqual(['lo', 'unmanaged', '', '']);
  });

  it('reads each device with its active profile', () => {
    const devices = parseDeviceStatus(
      'eth0:connected:Wired connection 1:3fa4f1ef-33d1-3984-b963-1f8b4f535ec9\nwlan0:disconnected::\n',
    );
    expect(devices).toEqual([
      {
        device: 'eth0',
        state: 'connected',
        connection: { name: 'Wired connection 1', uuid: '3fa4f1ef-33d1-3984-b963-1f8b4f535ec9' },
      },
      { device: 'wlan0', state: 'disconnected', connection: undefined },
    ]);
  });

  it('counts a device as NM-managed unless NM leaves it alone or only mirrors another tool', () => {
    expect(managedByNm({ device: 'eth0', state: 'connected' })).toBe(true);
    // A lost lease: NM still owns the interface and is the one to get a new one.
    expect(managedByNm({ device: 'eth0', state: 'disconnected' })).toBe(true);
    expect(managedByNm({ device: 'eth0', state: 'unmanaged' })).toBe(false);
    expect(managedByNm({ device: 'eth0', state: 'connected (externally)' })).toBe(false);
    expect(managedByNm(undefined)).toBe(false);
  });
});

describe('the route the fixes take without NetworkManager', () => {
  const saved = process.env.DBUS_SYSTEM_BUS_ADDRESS;
  beforeAll(() => {
    // A bus that is not there: this machine's own NetworkManager, if any, is never asked.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'zen-nm-'));
    process.env.DBUS_SYSTEM_BUS_ADDRESS = `unix:path=${path.join(dir, 'no-bus')}`;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.DBUS_SYSTEM_BUS_ADDRESS;
    else process.env.DBUS_SYSTEM_BUS_ADDRESS = saved;
  });
  const config = (manager: string) => AgentConfig.parse({ network: { manager } });

  it('"auto" keeps the agent\'s own tools', async () => {
    expect(await networkRoute(config('auto'))).toEqual({ via: 'direct' });
  });

  it('"none" never asks NetworkManager', async () => {
    expect(await networkRoute(config('none'))).toEqual({ via: 'direct' });
  });

  it('"networkmanager" refuses to fall back and says why', async () => {
    await expect(networkRoute(config('networkmanager'))).rejects.toThrow(
      /network\.manager is "networkmanager" but (nmcli cannot run|NetworkManager does not answer)/,
    );
  });
});
