import type { Fault } from './scenario';
import type { Lab } from './topology';

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
  }
}
