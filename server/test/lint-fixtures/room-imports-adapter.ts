// Linted as if it were server/src/room/*.ts: a relative import of an adapter is I/O too.
import { rowsFor } from '../signaling/persist';

export const rows = rowsFor;
