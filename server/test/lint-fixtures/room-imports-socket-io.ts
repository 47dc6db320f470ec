// Linted as if it were server/src/room/*.ts: the pure room may not touch Socket.IO.
import { Server } from 'socket.io';

export const server = new Server();
