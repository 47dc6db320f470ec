// Linted as if it were server/src/room/*.ts: no file system in the room.
import { readFileSync } from 'node:fs';

export const read = readFileSync;
