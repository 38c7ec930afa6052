/**
 * The endpoint of bench/webhooks.ts, in a process of its own (so that it does not share the
 * service's event loop): an HTTP server on 127.0.0.1, port 0, that answers every POST with 204
 * and counts them. IPC: it sends {port} when listening; on "count" it answers {count}.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

if (process.send === undefined) {
  // npm run bench runs every bench/*.ts: this one is only a helper process.
  process.stdout.write('bench/webhook-receiver.ts is the endpoint process of bench/webhooks.ts\n');
  process.exit(0);
}

let count = 0;
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    count += 1;
    res.writeHead(204);
    res.end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on('message', (message) => {
  if (message === 'count') process.send?.({ count });
  if (message === 'stop') server.close(() => process.exit(0));
});
