import { channelOf, parseIwLink, parseProcWireless, parseSurvey, wifiFindings } from './wifi';

// Output as iw 5.19 (Debian bookworm) prints it: link.c's print_link_sta and
// station.c's bitrate lines for `iw dev wlan0 link`, survey.c for `survey dump`.

const link5GHz = `Connected to 3c:22:fb:6a:10:4e (on wlan0)
\tSSID: Office
\tfreq: 5180
\tRX: 18366236 bytes (41226 packets)
\tTX: 2874410 bytes (9872 packets)
\tsignal: -58 dBm
\trx bitrate: 390.0 MBit/s VHT-MCS 9 80MHz short GI VHT-NSS 1
\ttx bitrate: 433.3 MBit/s VHT-MCS 9 80MHz short GI VHT-NSS 1

\tbss flags:\tshort-slot-time
\tdtim period:\t1
\tbeacon int:\t100
`;

const linkWeak = `Connected to F4:F2:6D:22:7C:F0 (on wlan0)
\tSSID: Back office \\xe2\\x98\\x95
\tfreq: 2462.0
\tRX: 7007190 bytes (72847 packets)
\tTX: 20015 bytes (226 packets)
\tsignal: -81 dBm
\trx bitrate: 6.5 MBit/s MCS 0
\ttx bitrate: 6.5 MBit/s MCS 0

\tbss flags:\tshort-preamble short-slot-time
\tdtim period:\t2
\tbeacon int:\t100
`;

const survey = `Survey data from wlan0
\tfrequency:\t\t\t2412 MHz
\tnoise:\t\t\t\t-95 dBm
\tchannel active time:\t\t120 ms
\tchannel busy time:\t\t30 ms
Survey data from wlan0
\tfrequency:\t\t\t2462 MHz [in use]
\tnoise:\t\t\t\t-91 dBm
\tchannel active time:\t\t61457 ms
\tchannel busy time:\t\t52881 ms
\tchannel receive time:\t\t49013 ms
\tchannel transmit time:\t\t1374 ms
Survey data from wlan0
\tfrequency:\t\t\t5180 MHz
`;

const procWireless = `Inter-| sta-|   Quality        |   Discarded packets               | Missed | WE
 face | tus | link level noise |  nwid  crypt   frag  retry   misc | beacon | 22
 wlan0: 0000   29.  -81.  -91.        0      0      0     12     37        0
`;

describe('iw dev <if> link', () => {
  it('reads a good 5 GHz link', () => {
    expect(parseIwLink(link5GHz)).toEqual({
      connected: true,
      bssid: '3c:22:fb:6a:10:4e',
      ssid: 'Office',
      frequencyMhz: 5180,
      signalDbm: -58,
      txBitrateMbps: 433.3,
      rxBitrateMbps: 390,
    });
  });

  it('reads a weak 2.4 GHz link, the SSID as iw escaped it', () => {
    expect(parseIwLink(linkWeak)).toMatchObject({
      bssid: 'f4:f2:6d:22:7c:f0',
      ssid: 'Back office \\xe2\\x98\\x95',
      frequencyMhz: 2462,
      signalDbm: -81,
      txBitrateMbps: 6.5,
    });
  });

  it('reads "Not connected."', () => {
    expect(parseIwLink('Not connected.\n')).toEqual({ connected: false });
  });
});

describe('the channel in use', () => {
  it('takes noise and busy time from the survey entry in use', () => {
    expect(parseSurvey(survey)).toEqual({ noiseDbm: -91, busyPct: 86 });
    expect(parseSurvey('')).toEqual({});
  });

  it('takes the noise from /proc/net/wireless when the driver keeps no survey', () => {
    expect(parseProcWireless(procWireless, 'wlan0')).toBe(-91);
    expect(parseProcWireless(procWireless.replace('-91.', '-256'), 'wlan0')).toBeUndefined();
    expect(parseProcWireless(procWireless, 'wlan1')).toBeUndefined();
  });

  it('numbers channels in the three bands', () => {
    expect([2412, 2462, 2484, 5180, 5745, 5955].map(channelOf)).toEqual([1, 11, 14, 36, 149, 1]);
  });
});

describe('the wifi findings', () => {
  const base = { interface: 'wlan0', wireless: true, connected: true };

  it('pass a wired box and a good link', () => {
    expect(wifiFindings({ interface: 'eth0', wireless: false, connected: false })).toEqual([]);
    expect(
      wifiFindings({ ...base, signalDbm: -58, txBitrateMbps: 433.3, channelBusyPct: 30 }),
    ).toEqual([]);
  });

  it('name a weak signal, a slow rate, a crowded channel, no connection', () => {
    expect(
      wifiFindings({ ...base, signalDbm: -81, txBitrateMbps: 6.5, channelBusyPct: 86 }),
    ).toEqual(['weak-signal', 'low-bitrate', 'busy-channel']);
    expect(wifiFindings({ ...base, connected: false })).toEqual(['not-connected']);
  });
});
