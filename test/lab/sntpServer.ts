import dgram from 'node:dgram';

// The lab internet's time server: a stratum-1 SNTP responder (RFC 4330) on UDP
// 123. `skewSeconds` makes it answer that far off the true time: the box's own
// clock cannot be changed per namespace, so the lab's clock-skew fault moves
// the reference instead. Usage: node --import tsx sntpServer.ts <address> [skewSeconds]

const address = process.argv[2] ?? '127.0.0.1';
const skewMs = Number(process.argv[3] ?? 0) * 1000;
const SECONDS_1900_TO_1970 = 2_208_988_800;

function stamp(packet: Buffer, at: number, ms: number) {
  packet.writeUInt32BE(Math.floor(ms / 1000) + SECONDS_1900_TO_1970, at);
  packet.writeUInt32BE(Math.floor(((ms % 1000) / 1000) * 2 ** 32), at + 4);
}

const socket = dgram.createSocket('udp4');
socket.on('message', (request, from) => {
  if (request.length < 48 || (request[0]! & 7) !== 3) return;
  const received = Date.now() + skewMs;
  const reply = Buffer.alloc(48);
  reply[0] = (4 << 3) | 4; // no leap warning, version 4, server
  reply[1] = 1;
  reply.write('LAB', 12, 'ascii');
  stamp(reply, 16, received);
  request.copy(reply, 24, 40, 48); // the client's transmit time, as "originate"
  stamp(reply, 32, received);
  stamp(reply, 40, Date.now() + skewMs);
  socket.send(reply, from.port, from.address);
});
socket.bind(123, address, () => console.log(`sntp on ${address}, skew ${skewMs} ms`));
