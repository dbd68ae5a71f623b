import net from 'node:net';
import { Bonjour } from 'bonjour-service';

// A network printer on the lab's LAN: it announces itself over mDNS/DNS-SD
// (IPP on 631 and raw printing on 9100, as office printers do) on its own
// interface only, and accepts connections on both ports (and closes them:
// nothing is printed). Its namespace going silent is the printer losing power.
// Usage: node --import tsx printerEmulator.ts <address>

const address = process.argv[2] ?? '127.0.0.1';
for (const port of [631, 9100]) {
  net.createServer((socket) => socket.end()).listen(port, address);
}
const bonjour = new Bonjour({ interface: address, bind: '0.0.0.0' } as object, (err: Error) =>
  console.error(`mDNS: ${err.message}`),
);
const host = 'office-printer.local';
bonjour.publish({ name: 'Office Printer', type: 'ipp', port: 631, host, txt: { rp: 'ipp/print' } });
bonjour.publish({ name: 'Office Printer', type: 'pdl-datastream', port: 9100, host });
console.log(`printer on ${address}`);
