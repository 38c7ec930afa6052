/**
 * A Confluent Schema Registry stand-in for tests: a real HTTP server on 127.0.0.1:0 answering
 * GET /schemas/ids/{id} as a registry does (404 with Confluent's error body for an unknown id),
 * recording each request path; `failFirst` answers 503 to that many requests first.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function startRegistry(
  schemas: Map<number, unknown>,
  options: { failFirst?: number } = {},
): Promise<{ url: string; requests: string[]; server: Server }> {
  const requests: string[] = [];
  let failures = options.failFirst ?? 0;
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (failures > 0) {
      failures -= 1;
      res.writeHead(503).end();
      return;
    }
    const match = /^\/schemas\/ids\/(\d+)$/.exec(req.url ?? '');
    const schema = match ? schemas.get(Number(match[1])) : undefined;
    if (schema === undefined) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"error_code":40403,"message":"Schema not found"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
    res.end(JSON.stringify({ schema: JSON.stringify(schema) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${String(port)}`, requests, server };
}
