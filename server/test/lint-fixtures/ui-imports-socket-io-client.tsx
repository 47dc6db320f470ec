// Linted as if it were client/src/ui/*.tsx: only client/src/signaling talks Socket.IO.
import { io } from 'socket.io-client';

export const connect = io;
