/**
 * A real OAuth 2.0 token endpoint on 127.0.0.1 for tests: client credentials by HTTP Basic or
 * form body; it issues unsecured JWTs (alg "none"), which the test broker's OAUTHBEARER listener
 * accepts (Kafka's default unsecured validator checks `sub` and `exp`).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface TokenServer {
  url: string;
  requests: Array<{ authorization?: string; body: URLSearchParams }>;
  /** Lifetime of the next tokens, seconds. */
  expiresInSec: number;
  close(): Promise<void>;
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startTokenServer(clients: Record<string, string>): Promise<TokenServer> {
  const state: TokenServer = {
    url: '',
    requests: [],
    expiresInSec: 3600,
    close: () => Promise.resolve(),
  };
  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = new URLSearchParams(await readBody(request));
      state.requests.push({
        ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
        body,
      });
      let id = body.get('client_id') ?? '';
      let secret = body.get('client_secret') ?? '';
      const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? '');
      if (basic?.[1]) {
        const [user = '', pass = ''] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
        id = decodeURIComponent(user);
        secret = decodeURIComponent(pass);
      }
      if (request.method !== 'POST' || body.get('grant_type') !== 'client_credentials') {
        response
          .writeHead(400, { 'content-type': 'application/json' })
          .end('{"error":"unsupported_grant_type"}');
        return;
      }
      if (clients[id] === undefined || clients[id] !== secret) {
        response.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
        return;
      }
      const nowSec = Math.floor(Date.now() / 1000);
      const jwt = `${base64url({ alg: 'none' })}.${base64url({ sub: id, iat: nowSec, exp: nowSec + state.expiresInSec, scope: body.get('scope') ?? '' })}.`;
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ access_token: jwt, expires_in: state.expiresInSec, token_type: 'Bearer' }));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  state.url = `http://127.0.0.1:${port}/oauth2/token`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => {
        resolve();
      });
    });
  return state;
}
