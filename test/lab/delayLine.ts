import dgram from 'node:dgram';

// A delay line: every datagram that arrives goes back to its sender `delayMs`
// later, in order. socat carries a TUN interface's packets to it and back
// (lineFaults.ts), so the packets routed into that interface cross it late, as
// over a long or congested path: this kernel has no netem.
// Usage: node --import tsx delayLine.ts <port> <delayMs>

const port = Number(process.argv[2]);
const delayMs = Number(process.argv[3]);

const socket = dgram.createSocket('udp4');
socket.on('message', (packet, from) => {
  setTimeout(() => socket.send(packet, from.port, from.address), delayMs);
});
socket.bind(port, '127.0.0.1', () => console.log(`delay line on 127.0.0.1:${port}, ${delayMs} ms`));
