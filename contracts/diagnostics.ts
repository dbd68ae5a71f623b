import { z } from 'zod';
import { checkNames } from './checks';

// The diagnostics catalog: every check the agent can run and the shape of its
// result. Strings that come from the network (SSIDs, hostnames, banners,
// mDNS names) are untrusted and reach the advisor only as quoted data.

export const CheckName = z.enum(checkNames);
export type CheckName = z.infer<typeof CheckName>;

const ipv4 = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/);
const ms = z.number().nonnegative();
const pct = z.number().min(0).max(100);
/** Text a device or a server on the network chose: bounded, and free text to the sanitizer. */
const untrusted = (max: number) => z.string().max(max);

/** The lines the newer checks decide by: the advisor reads the same numbers the box used. */
export const checkThresholds = {
  /** A configured resolver slower than this for a public name is a fault. */
  dnsSlowMs: 1000,
  /** The smallest path MTU that works without trouble (a PPPoE line has 1492). */
  minPathMtu: 1400,
  /** Certificates and logins start failing around here. */
  maxClockOffsetMs: 5000,
  /** Below these the line is too slow for an office (video calls, cloud apps); no plan speed is known. */
  minDownloadMbps: 10,
  minUploadMbps: 2,
  /** An idle round trip to the internet above this is a slow path (satellite, congested peering). */
  maxIdleRttMs: 150,
  /** A loaded round trip this much above the idle one is bufferbloat: a queue that fills under load. */
  maxLoadedRttIncreaseMs: 100,
  /** How long ip_conflict probes the gateway's address, one ARP probe a second (from 0 s on). */
  gatewayArpSeconds: 3,
  /** A Wi-Fi signal below this drops and slows down (about where 802.11 falls to its slowest rates). */
  wifiWeakSignalDbm: -75,
  /** A Wi-Fi link's transmit rate below this is too slow for an office (802.11n's slowest rates). */
  wifiLowBitrateMbps: 20,
  /** A channel busy (others' traffic and interference) more than this share of the time is crowded. */
  wifiBusyPct: 70,
} as const;

/**
 * A MAC address: whole on the box, a short hash (`mac:` and 12 hex digits) once it
 * has left it (agent/sanitize.ts hashes every MAC, typed field or free text).
 */
const mac = z
  .string()
  .regex(/^(?:[0-9a-f]{2}:){5}[0-9a-f]{2}$|^mac:[0-9a-f]{12}$/, 'a MAC address or its hash');
/** The first three octets of a MAC: its maker's prefix (OUI), not the device. */
const oui = z.string().regex(/^(?:[0-9a-f]{2}:){2}[0-9a-f]{2}$/);
const ipv6 = z.string().regex(/^[0-9a-f:]{2,39}$/i);
const ipv6Prefix = z.string().regex(/^[0-9a-f:]{2,39}\/\d{1,3}$/i);

/** mDNS service types lan_inventory keeps (any other type a device announces is dropped). */
export const lanServiceTypes = [
  '_ipp._tcp',
  '_ipps._tcp',
  '_printer._tcp',
  '_pdl-datastream._tcp',
  '_smb._tcp',
  '_afpovertcp._tcp',
  '_nfs._tcp',
  '_rtsp._tcp',
  '_sip._udp',
  '_airplay._tcp',
  '_raop._tcp',
  '_googlecast._tcp',
] as const;
/** What a device on the LAN is, from what it announces (and the gateway's address). */
export const lanDeviceKinds = [
  'router',
  'printer',
  'file-server',
  'camera',
  'phone',
  'media',
  'unknown',
] as const;
/** Fixed equipment: one that no longer answers is a fault (a laptop gone home is not). */
export const lanFixedKinds: readonly (typeof lanDeviceKinds)[number][] = [
  'router',
  'printer',
  'file-server',
  'camera',
  'phone',
];

/** Who answered an ARP probe, and how often. */
const arpAnswer = z.object({ mac, oui, replies: z.number().int().nonnegative() });

const dnsOutcome = z.enum([
  'answered',
  'nxdomain',
  'no-data',
  'servfail',
  'refused',
  'timeout',
  'error',
]);
/** Why a measurement that would cost metered data or measure the wrong line did not run. */
const skippedBecause = z.enum(['cloud-link-on-lte']);
const transfer = z.object({
  mbps: z.number().nonnegative(),
  bytes: z.number().int().nonnegative(),
  seconds: z.number().nonnegative(),
});
/** Round trips to one address: idle, during a download, during an upload (medians). */
const rttUnderLoad = z.object({
  address: ipv4,
  idleMs: ms.optional(),
  downloadMs: ms.optional(),
  uploadMs: ms.optional(),
  /** Echo requests sent and answered in all three phases. */
  sent: z.number().int().nonnegative(),
  received: z.number().int().nonnegative(),
});

const dnsView = z.object({
  server: ipv4.optional(),
  outcome: dnsOutcome,
  addresses: z.array(ipv4).max(16),
  ms: ms.optional(),
});

export const checkData = {
  /** Interface and link status. */
  link: z.object({
    interface: z.string().max(32),
    up: z.boolean(),
    speedMbps: z.number().optional(),
  }),
  /** Address, lease and resolvers as configured on the Pi. */
  ip_config: z.object({
    interface: z.string().max(32),
    address: ipv4.optional(),
    prefixLength: z.number().int().min(0).max(32).optional(),
    gateway: ipv4.optional(),
    dnsServers: z.array(ipv4).max(8),
    leaseValid: z.boolean(),
    /** A 169.254.x.x self-assigned address: DHCP gave nothing. */
    linkLocalOnly: z.boolean(),
  }),
  /** A DHCP discover on the LAN: is a server there, does it offer an address? */
  dhcp: z.object({
    serverReachable: z.boolean(),
    offerReceived: z.boolean(),
    server: ipv4.optional(),
  }),
  /** Default gateway: ARP and ping. */
  gateway: z.object({
    address: ipv4.optional(),
    arpResolved: z.boolean(),
    lossPct: pct,
    rttMs: ms.optional(),
  }),
  /** A name resolved through the configured resolver and a reference resolver. */
  dns: z.object({
    name: z.string().max(253),
    configured: z.object({ server: ipv4.optional(), ok: z.boolean(), ms: ms.optional() }),
    reference: z.object({ server: ipv4, ok: z.boolean(), ms: ms.optional() }),
  }),
  /** Ping to internet targets by address. */
  internet: z.object({
    targets: z
      .array(
        z.object({
          host: ipv4,
          sent: z.number().int().nonnegative(),
          lossPct: pct,
          avgMs: ms.optional(),
          jitterMs: ms.optional(),
        }),
      )
      .max(8),
  }),
  /** HTTP(S) reachability with timings. */
  http: z.object({
    url: z.string().max(2048),
    ok: z.boolean(),
    status: z.number().int().optional(),
    totalMs: ms.optional(),
    /** Untrusted: the server's banner. */
    serverHeader: z.string().max(512).optional(),
  }),
  traceroute: z.object({
    target: ipv4,
    reachedTarget: z.boolean(),
    hops: z
      .array(z.object({ ttl: z.number().int(), address: ipv4.optional(), ms: ms.optional() }))
      .max(64),
  }),
  /** The modem's LAN management address (e.g. a cable modem's 192.168.100.1). */
  modem: z.object({
    managementAddress: ipv4,
    reachable: z.boolean(),
    /** The modem's own word on its upstream, when it gives one. */
    upstreamLocked: z.boolean().optional(),
  }),
  /** LAN discovery over mDNS. Untrusted: names and hosts are whatever devices announce. */
  mdns: z.object({
    services: z
      .array(
        z.object({
          name: z.string().max(255),
          type: z.string().max(64),
          host: z.string().max(255),
        }),
      )
      .max(100),
  }),
  /** The Pi's LTE modem over serial AT commands. */
  lte: z.object({
    present: z.boolean(),
    registered: z.boolean().optional(),
    signalDbm: z.number().optional(),
    operator: z.string().max(64).optional(),
  }),
  /** Every DHCP server that answers one discover within a window, and whether what it hands out works. */
  dhcp_servers: z.object({
    interface: z.string().max(32),
    listenedMs: ms,
    servers: z
      .array(
        z.object({
          /** Option 54, or the offer's source address when the server left it out. */
          serverId: ipv4,
          offeredAddress: ipv4.optional(),
          leaseSeconds: z.number().int().nonnegative().optional(),
          /** The first router option, pinged from the box. */
          gateway: z.object({ address: ipv4, answers: z.boolean() }).optional(),
          /** Each offered resolver asked for the test name. */
          dnsServers: z.array(z.object({ address: ipv4, answers: z.boolean() })).max(8),
        }),
      )
      .max(8),
  }),
  /** The configured resolver's answer for a public name against the reference resolver's. */
  dns_integrity: z.object({
    name: z.string().max(253),
    slowThresholdMs: ms,
    configured: dnsView,
    reference: dnsView,
    findings: z
      .array(z.enum(['no-answer', 'nxdomain', 'private-answer', 'answers-differ', 'slow']))
      .max(5),
  }),
  /** Don't-fragment pings of several sizes to an internet target. */
  path_mtu: z.object({
    target: ipv4,
    probes: z
      .array(z.object({ mtu: z.number().int().min(68).max(9000), passed: z.boolean() }))
      .max(16),
    /** The largest probed MTU that got an answer; none when nothing did. */
    largestPassing: z.number().int().min(68).max(9000).optional(),
    /** The MTU an ICMP "fragmentation needed" named, when one came back. */
    reportedMtu: z.number().int().min(68).max(9000).optional(),
    minimumMtu: z.number().int(),
  }),
  /** A known page fetched by plain HTTP: a redirect, another body or a proxy's headers. */
  captive_portal: z.object({
    url: z.string().max(2048),
    reached: z.boolean(),
    status: z.number().int().optional(),
    totalMs: ms.optional(),
    /** Untrusted: where a redirect points. */
    location: untrusted(2048).optional(),
    /** Untrusted: headers a proxy on the way adds (name and value). */
    proxyHeaders: z.array(z.object({ name: z.string().max(64), value: untrusted(256) })).max(8),
    /** Untrusted: the start of the body, only when it is not the expected one. */
    bodyExcerpt: untrusted(200).optional(),
    findings: z
      .array(z.enum(['redirected', 'unexpected-status', 'different-body', 'proxy-headers']))
      .max(4),
  }),
  /** TCP connects and TLS handshakes with the certificate checked. */
  tcp_tls: z.object({
    targets: z
      .array(
        z.object({
          host: z.string().max(253),
          port: z.number().int().min(1).max(65535),
          address: ipv4.optional(),
          tcp: z.enum(['open', 'refused', 'timeout', 'unreachable', 'no-address']),
          connectMs: ms.optional(),
          tls: z
            .object({
              ok: z.boolean(),
              problem: z
                .enum(['expired', 'not-yet-valid', 'wrong-name', 'untrusted', 'handshake-failed'])
                .optional(),
              /** OpenSSL's or Node's code for the problem. */
              detail: untrusted(200).optional(),
              protocol: z.string().max(16).optional(),
              handshakeMs: ms.optional(),
              validFrom: z.string().max(40).optional(),
              validTo: z.string().max(40).optional(),
              /** Untrusted: the certificate's subject and issuer common names. */
              subject: untrusted(256).optional(),
              issuer: untrusted(256).optional(),
            })
            .optional(),
        }),
      )
      .max(8),
  }),
  /** The box's clock against an SNTP server. */
  clock_offset: z.object({
    server: z.string().max(253),
    address: ipv4.optional(),
    /** Positive: the box is behind the reference. */
    offsetMs: z.number().optional(),
    roundTripMs: ms.optional(),
    stratum: z.number().int().min(0).max(16).optional(),
    maxOffsetMs: ms,
  }),
  /** Download and upload against the speed-test server, bounded in bytes and seconds each way. */
  throughput: z.object({
    /** The speed-test URL (the cloud's, or the configured one). */
    server: z.string().max(2048),
    /** The interface the route to the server leaves by. */
    interface: z.string().max(32).optional(),
    /** Set when nothing was measured, and why; the result then carries an `error` too. */
    skipped: skippedBecause.optional(),
    download: transfer.optional(),
    upload: transfer.optional(),
    minDownloadMbps: z.number(),
    minUploadMbps: z.number(),
  }),
  /** Round trips to the gateway and an internet address idle, then while the line is loaded. */
  latency_under_load: z.object({
    server: z.string().max(2048),
    interface: z.string().max(32).optional(),
    skipped: skippedBecause.optional(),
    gateway: rttUnderLoad.optional(),
    internet: rttUnderLoad.optional(),
    /** What the load moved meanwhile. */
    load: z.object({ downloadMbps: z.number().optional(), uploadMbps: z.number().optional() }),
    maxIdleRttMs: ms,
    maxLoadedRttIncreaseMs: ms,
  }),
  /**
   * The router's own view through its management API (OpenWrt ubus), when the box has
   * credentials for it: model and release, its WAN interface, and what its DHCP hands out.
   * Without credentials nothing is measured and nothing is claimed broken (configured: false).
   */
  router_api: z.object({
    configured: z.boolean(),
    kind: z.enum(['openwrt']).optional(),
    /** The router answered and accepted the box's login. */
    reachable: z.boolean(),
    /** Why the API could not be used. */
    problem: z.enum(['unreachable', 'login-refused', 'permission-denied', 'bad-answer']).optional(),
    /** Untrusted: the router's model and firmware release, as it reports them. */
    model: untrusted(100).optional(),
    release: untrusted(100).optional(),
    /** The router's own address on the LAN. */
    lanAddress: ipv4.optional(),
    wan: z
      .object({
        up: z.boolean(),
        address: ipv4.optional(),
        uptimeSeconds: z.number().int().nonnegative().optional(),
      })
      .optional(),
    /** What the router's DHCP hands out: its options, or the router itself where none is set. */
    dhcp: z
      .object({
        gateway: ipv4,
        gatewaySet: z.boolean(),
        dnsServers: z.array(ipv4).max(4),
        dnsSet: z.boolean(),
      })
      .optional(),
  }),
  /** Who else answers ARP for the box's own address, and for the gateway's. */
  ip_conflict: z.object({
    interface: z.string().max(32),
    address: ipv4.optional(),
    /** Devices that answered a duplicate-address probe (from 0.0.0.0, as `arping -D`) for the box's address. */
    duplicates: z.array(arpAnswer).max(8),
    gateway: z
      .object({
        address: ipv4,
        probes: z.number().int().nonnegative(),
        /** Every MAC that answered for the gateway's address; more than one is a conflict or a spoofer. */
        answers: z.array(arpAnswer).max(8),
        /** The MAC the box's neighbour table held before the probes, when it had one. */
        cachedMac: mac.optional(),
      })
      .optional(),
    findings: z
      .array(
        z.enum(['address-in-use', 'gateway-several-macs', 'gateway-mac-changed', 'gateway-silent']),
      )
      .max(4),
  }),
  /** Whether the office has IPv6 (a router advertisement, global addresses) and whether it leads anywhere. */
  ipv6: z.object({
    interface: z.string().max(32),
    /** A router advertised a default route or global prefix: apps will prefer IPv6. */
    offered: z.boolean(),
    /** The default route a router advertisement set (`proto ra`). */
    router: z
      .object({
        /** Its link-local address; left out when it is EUI-64 (made from the router's MAC). */
        address: ipv6.optional(),
        /** Seconds the advertisement's default route has left. */
        lifetimeS: z.number().int().nonnegative().optional(),
      })
      .optional(),
    /**
     * The box's global prefixes, not its addresses: an EUI-64 interface identifier holds
     * the box's MAC. `announced`: a router advertisement's on-link route for it.
     */
    prefixes: z
      .array(
        z.object({
          prefix: ipv6Prefix,
          announced: z.boolean(),
          addresses: z.number().int().nonnegative(),
          validLifetimeS: z.number().int().nonnegative().optional(),
        }),
      )
      .max(8),
    targets: z
      .array(
        z.object({
          host: ipv6,
          sent: z.number().int().nonnegative(),
          lossPct: pct,
          avgMs: ms.optional(),
        }),
      )
      .max(4),
    /** The test name's AAAA through the configured resolver. */
    dns: z.object({
      name: z.string().max(253),
      outcome: dnsOutcome,
      addresses: z.array(ipv6).max(8),
    }),
    findings: z.array(z.enum(['unreachable', 'lossy'])).max(2),
  }),
  /** The devices on the box's subnet: who answers ARP now, what they announce, who the box saw before and no longer answers. */
  lan_inventory: z.object({
    interface: z.string().max(32),
    /** The subnet swept ("192.168.1.0/24"). */
    subnet: z.string().max(18).optional(),
    /** The box's subnet is larger than a /24: only the /24 around its address was swept. */
    limited: z.boolean(),
    swept: z.number().int().nonnegative(),
    answering: z.number().int().nonnegative(),
    devices: z
      .array(
        z.object({
          /** Its address now, or where it answered last. */
          address: ipv4,
          mac: mac.optional(),
          oui: oui.optional(),
          /** It answered ARP during this sweep. */
          answers: z.boolean(),
          kind: z.enum(lanDeviceKinds),
          services: z.array(z.enum(lanServiceTypes)).max(6),
          /** A TCP connect to the port its first announced service gave (a printer's 631 or 9100). */
          servicePort: z
            .object({ port: z.number().int().min(1).max(65535), open: z.boolean() })
            .optional(),
          /** An earlier inventory saw it. */
          seenBefore: z.boolean(),
          /** When it last answered (ISO time), for a device that does not answer now. */
          lastSeen: z.string().max(30).optional(),
        }),
      )
      .max(64),
  }),
  /** The box's Wi-Fi link, when it is on Wi-Fi (`iw`): signal, noise, channel, rates, how busy the channel is. */
  wifi: z.object({
    interface: z.string().max(32),
    /** False on a wired box: nothing else is measured, and the check passes. */
    wireless: z.boolean(),
    connected: z.boolean(),
    /** Untrusted: the network's name, as the access point announces it (iw escapes what is not printable). */
    ssid: untrusted(128).optional(),
    /** The access point's MAC (hashed once it leaves the box). */
    bssid: mac.optional(),
    signalDbm: z.number().min(-150).max(0).optional(),
    noiseDbm: z.number().min(-150).max(0).optional(),
    frequencyMhz: z.number().positive().optional(),
    channel: z.number().int().nonnegative().optional(),
    txBitrateMbps: z.number().nonnegative().optional(),
    rxBitrateMbps: z.number().nonnegative().optional(),
    /** Share of the time the channel was busy, from the radio's survey of the channel in use. */
    channelBusyPct: pct.optional(),
    findings: z
      .array(z.enum(['not-connected', 'weak-signal', 'low-bitrate', 'busy-channel']))
      .max(4),
  }),
} satisfies Record<CheckName, z.ZodType>;

function resultOf<K extends CheckName>(check: K) {
  return z.object({
    check: z.literal(check),
    /** Did the check find this part working? */
    ok: z.boolean(),
    durationMs: ms,
    data: checkData[check],
    error: z.string().max(500).optional(),
  });
}

export const CheckResult = z.discriminatedUnion('check', [
  resultOf('link'),
  resultOf('ip_config'),
  resultOf('dhcp'),
  resultOf('gateway'),
  resultOf('dns'),
  resultOf('internet'),
  resultOf('http'),
  resultOf('traceroute'),
  resultOf('modem'),
  resultOf('mdns'),
  resultOf('lte'),
  resultOf('dhcp_servers'),
  resultOf('dns_integrity'),
  resultOf('path_mtu'),
  resultOf('captive_portal'),
  resultOf('tcp_tls'),
  resultOf('clock_offset'),
  resultOf('throughput'),
  resultOf('latency_under_load'),
  resultOf('router_api'),
  resultOf('ip_conflict'),
  resultOf('ipv6'),
  resultOf('lan_inventory'),
  resultOf('wifi'),
]);
export type CheckResult = z.infer<typeof CheckResult>;
