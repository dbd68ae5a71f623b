import dgram from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCloudAddressBook } from './cloudAddress';

// A resolver that answers nothing, as the office's does when DNS is the fault.
async function silentResolver(): Promise<{ server: string; close: () => void }> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { server: `127.0.0.1:${socket.address().port}`, close: () => socket.close() };
}

/** A resolver that answers every A query with one address (a real DNS reply on UDP). */
async function answeringResolver(address: string): Promise<{ server: string; close: () => void }> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (query, peer) => {
    // Header: same id, a response with recursion, one question, one answer.
    const header = Buffer.from(query.subarray(0, 12));
    header.writeUInt16BE(0x8180, 2);
    header.writeUInt16BE(1, 6);
    header.writeUInt16BE(0, 8);
    header.writeUInt16BE(0, 10);
    const question = query.subarray(12);
    const answer = Buffer.alloc(16);
    answer.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
    answer.writeUInt16BE(1, 2); // A
    answer.writeUInt16BE(1, 4); // IN
    answer.writeUInt32BE(60, 6);
    answer.writeUInt16BE(4, 10);
    address.split('.').forEach((octet, i) => answer.writeUInt8(Number(octet), 12 + i));
    socket.send(Buffer.concat([header, question, answer]), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { server: `127.0.0.1:${socket.address().port}`, close: () => socket.close() };
}

describe("the cloud's address", () => {
  it('comes from the first source that answers, and from memory once none does', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'zen-address-'));
    const lines: string[] = [];
    const book = createCloudAddressBook({
      stateDir: dir,
      timeoutMs: 300,
      log: (l) => lines.push(l),
    });
    const silent = await silentResolver();
    const carrier = await answeringResolver('203.0.113.10');
    try {
      const office = { name: 'office', servers: () => [silent.server] };
      const lte = { name: 'LTE', servers: () => [carrier.server] };
      await expect(book.resolve('cloud.example.net', [office, lte])).resolves.toEqual([
        '203.0.113.10',
      ]);
      carrier.close();
      // A restarted agent, every resolver silent: the address that worked last.
      const later = createCloudAddressBook({
        stateDir: dir,
        timeoutMs: 300,
        log: (l) => lines.push(l),
      });
      await expect(later.resolve('cloud.example.net', [office])).resolves.toEqual(['203.0.113.10']);
      expect(lines.join('\n')).toMatch(/last good address 203.0.113.10/);
      // Another name is not answered from this one's memory.
      await expect(later.resolve('other.example.net', [office])).rejects.toThrow(/no resolver/);
    } finally {
      silent.close();
    }
  });

  it('fails clearly before any address worked; an address literal needs no resolver', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'zen-address-'));
    const lines: string[] = [];
    const book = createCloudAddressBook({
      stateDir: dir,
      timeoutMs: 200,
      log: (l) => lines.push(l),
    });
    const silent = await silentResolver();
    try {
      const office = { name: 'office', servers: () => [silent.server] };
      await expect(book.resolve('cloud.example.net', [office])).rejects.toThrow(
        /cannot resolve cloud.example.net/,
      );
      // An address literal needs no resolver, and is not remembered as the name's.
      await expect(book.resolve('203.0.113.10', [office])).resolves.toEqual(['203.0.113.10']);
    } finally {
      silent.close();
    }
  });

  it('skips an LTE source while the box has no LTE address', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'zen-address-'));
    const book = createCloudAddressBook({ stateDir: dir, timeoutMs: 200, log: () => undefined });
    const carrier = { name: 'LTE', servers: () => ['127.0.0.1'], localAddress: () => undefined };
    await expect(book.resolve('cloud.example.net', [carrier])).rejects.toThrow(/no resolver/);
  });
});
