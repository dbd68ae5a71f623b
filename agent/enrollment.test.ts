import { piIdentity } from './enrollment';

describe('piIdentity', () => {
  const files =
    (contents: Record<string, string>) =>
    (file: string): string => {
      if (file in contents) return contents[file]!;
      throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
    };

  it('takes the firmware serial number and derives the device id from it', () => {
    const read = files({ '/sys/firmware/devicetree/base/serial-number': '10000000ABCDEF12\0' });
    expect(piIdentity(read)).toEqual({
      serialNumber: '10000000ABCDEF12',
      deviceId: 'pi-abcdef12',
    });
  });

  it('falls back to /proc/cpuinfo, then the machine id', () => {
    const cpuinfo = 'processor\t: 0\nHardware\t: BCM2835\nSerial\t\t: 00000000deadbeef\n';
    expect(piIdentity(files({ '/proc/cpuinfo': cpuinfo })).deviceId).toBe('pi-deadbeef');
    const machineId = '0123456789abcdef0123456789abcdef\n';
    expect(piIdentity(files({ '/etc/machine-id': machineId })).deviceId).toBe('pi-89abcdef');
  });

  it('says how to go on when no serial number can be read', () => {
    expect(() => piIdentity(files({ '/proc/cpuinfo': 'Serial: ../../etc' }))).toThrow(/--serial/);
  });
});
