import type { Fault } from './scenario';
import {
  plugInRogueDhcp,
  reconfigureRouterDns,
  skewReferenceClock,
  startCaptivePortal,
  startTlsInterception,
} from './routerFaults';
import { saneQueueMs, shapeLine, startDelayLine } from './lineFaults';
import { changeRouterDhcp, dropRouterWan } from './routerSettingsFaults';
import { blackholeIpv6, impersonateGateway, powerOffPrinter, takePiAddress } from './lanFaults';
import { internet } from './addresses';
import { type Lab } from './topology';

/** What the hijacked router answers for a public name: an address on no one's network. */
const hijackedAnswer = '192.168.1.250';

// Faults made for real inside the lab's namespaces. Hangs go into the nft
// table zen_hang, which the smart plug's power cycle clears; settings and
// outside trouble go into zen_fault, which a reboot keeps.

const dropAll = (family: 'inet' | 'arp', hooks: string[]) =>
  `table ${family} zen_hang {\n${hooks
    .map((hook) => ` chain ${hook} {\n  type filter hook ${hook} priority -200; policy drop;\n }\n`)
    .join('')}}\n`;
const hang = dropAll('inet', ['input', 'forward', 'output']) + dropAll('arp', ['input', 'output']);

const faultTable = (chains: Record<string, string>) =>
  `table inet zen_fault {\n${Object.entries(chains)
    .map(
      ([hook, rule]) =>
        ` chain ${hook} {\n  type filter hook ${hook} priority -100;\n  ${rule}\n }\n`,
    )
    .join('')}}\n`;

export async function applyFault(lab: Lab, fault: Fault): Promise<void> {
  switch (fault.kind) {
    case 'resolver-down':
      await lab.nft('rt', faultTable({ input: 'meta l4proto { tcp, udp } th dport 53 drop' }));
      return;
    case 'router-hung':
      await lab.nft('rt', hang);
      return;
    case 'modem-hung':
      await lab.nft('mdm', hang);
      return;
    case 'isp-outage':
      await lab.nft(
        'isp',
        faultTable({
          input: 'iifname "cust0" drop',
          forward: 'iifname "cust0" drop',
          output: 'oifname "cust0" drop',
        }),
      );
      return;
    case 'packet-loss': {
      const rule = `iifname "cust0" numgen random mod 100 < ${fault.pct} drop`;
      await lab.nft('isp', faultTable({ input: rule, forward: rule }));
      return;
    }
    case 'lease-lost':
      await lab.loseLease();
      return;
    case 'link-down':
      await lab.in('sw', 'ip', ['link', 'set', 'pi', 'down']);
      return;
    case 'rogue-dhcp':
      await plugInRogueDhcp(lab);
      return;
    case 'dns-hijack': {
      // dnsmasq's own settings: an address for the name, or none at all (NXDOMAIN).
      const answer = fault.answer === 'private' ? hijackedAnswer : '';
      await reconfigureRouterDns(lab, [`--address=/${internet.webName}/${answer}`]);
      return;
    }
    case 'mtu-blackhole':
      // Both ends of the line, as a PPPoE or tunnel link has it; the modem then drops
      // the ICMP errors that would tell the senders.
      await lab.in('mdm', 'ip', ['link', 'set', 'wan0', 'mtu', String(fault.mtu)]);
      await lab.in('isp', 'ip', ['link', 'set', 'cust0', 'mtu', String(fault.mtu)]);
      await lab.nft(
        'mdm',
        faultTable({ output: 'icmp type destination-unreachable icmp code frag-needed drop' }),
      );
      return;
    case 'captive-portal':
      await startCaptivePortal(lab);
      return;
    case 'tls-intercept':
      await startTlsInterception(lab);
      return;
    case 'port-blocked': {
      const verdict = fault.how === 'reject' ? 'reject with tcp reset' : 'drop';
      await lab.nft('rt', faultTable({ forward: `tcp dport ${fault.port} ${verdict}` }));
      return;
    }
    case 'clock-skew':
      await skewReferenceClock(lab, fault.seconds);
      return;
    case 'slow-line':
      await shapeLine(lab, {
        downKbit: fault.downKbit,
        upKbit: fault.upKbit,
        queueMs: saneQueueMs,
      });
      return;
    case 'bufferbloat':
      await shapeLine(lab, fault);
      return;
    case 'high-latency':
      await startDelayLine(lab, { what: 'line' }, fault.ms);
      return;
    case 'dns-slow':
      await startDelayLine(lab, { what: 'router-dns' }, fault.ms);
      return;
    case 'dhcp-dns-dead':
      await changeRouterDhcp(lab, { dns: [fault.resolver] });
      return;
    case 'dhcp-gateway-wrong':
      await changeRouterDhcp(lab, { gateway: fault.gateway });
      return;
    case 'router-wan-down':
      await dropRouterWan(lab);
      return;
    case 'ip-conflict':
      await takePiAddress(lab);
      return;
    case 'gateway-impostor':
      await impersonateGateway(lab);
      return;
    case 'ipv6-blackhole':
      await blackholeIpv6(lab);
      return;
    case 'device-offline':
      await powerOffPrinter(lab);
      return;
  }
}

/**
 * The fault undone on site, as the customer's step says: a router setting put right, a
 * second router unplugged, a cable plugged back in. Only faults a customer can undo.
 */
export async function undoFault(lab: Lab, fault: Fault): Promise<void> {
  switch (fault.kind) {
    case 'resolver-down':
    case 'port-blocked':
      await lab.nft('rt', 'delete table inet zen_fault');
      return;
    case 'link-down':
      await lab.in('sw', 'ip', ['link', 'set', 'pi', 'up']);
      return;
    case 'rogue-dhcp':
      await lab.stopProcess('rogue-dnsmasq');
      await lab.in('sw', 'ip', ['link', 'set', 'rogue', 'down']);
      return;
    case 'dns-hijack':
      await reconfigureRouterDns(lab, []);
      return;
    case 'captive-portal':
      await lab.nft('rt', 'delete table ip zen_portal');
      return;
    case 'tls-intercept':
      await lab.nft('rt', 'delete table ip zen_intercept');
      return;
    default:
      throw new Error(`No step on site undoes ${fault.kind} in the lab`);
  }
}
