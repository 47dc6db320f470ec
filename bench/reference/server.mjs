/**
 * The bare reference for the mesh benchmark: the least a full-mesh audio page needs. A relay
 * that forwards every message to its addressee, and one static page that plays what it hears.
 * No validation, no room rules, no persistence: the floor our room is measured against.
 */
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { Server } from 'socket.io';

export async function startReference() {
  const page = readFileSync(new URL('./index.html', import.meta.url));
  const http = createServer((req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(page);
  });
  const io = new Server(http);
  io.on('connection', (socket) => {
    socket.on('join', (ack) => {
      const others = [...io.sockets.sockets.keys()].filter((id) => id !== socket.id && io.sockets.sockets.get(id)?.data.joined);
      socket.data.joined = true;
      ack(others);
    });
    socket.on('signal', (to, msg) => io.to(to).emit('signal', socket.id, msg));
  });
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${http.address().port}/`, close: () => new Promise((r) => io.close(() => r())) };
}

// Run as a program (the benchmarks start it as its own process, like the room server): prints
// the same `"url":"…"` line the room server logs.
if (import.meta.url === `file://${process.argv[1]}`) {
  const { url } = await startReference();
  console.log(JSON.stringify({ msg: 'reference listening', url: url.replace(/\/$/, '') }));
}
