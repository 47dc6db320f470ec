/**
 * The app in a process of its own for heap measurement: run with --expose-gc; every line on
 * stdin makes it collect garbage and print its used heap in bytes.
 */
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { createApp } from '../server/src/app';
import { testConfig } from '../server/src/config';
import { openStore } from '../server/src/store/index';
import { WriteQueue } from '../server/src/store/WriteQueue';

const store = await openStore({ dataDir: 'memory://', migrationsDir: fileURLToPath(new URL('../db/migrations', import.meta.url)) });
await store.migrate();
const queue = new WriteQueue(store);
const app = createApp({ config: testConfig(), store, enqueue: (op) => queue.enqueue(op), logger: pino({ level: 'silent' }) });
await new Promise<void>((r) => app.httpServer.listen(0, '127.0.0.1', r));
console.log(`url http://127.0.0.1:${(app.httpServer.address() as AddressInfo).port}`);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
createInterface({ input: process.stdin }).on('line', () => {
  gc();
  gc();
  console.log(`heap ${process.memoryUsage().heapUsed}`);
});
