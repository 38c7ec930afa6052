/**
 * Starts a real app (createApp) on a temp SQLite file with every port 0, for the serve-area
 * tests, and creates API tokens in its database: `token` (the default scopes) and `adminToken`
 * (admin: /metrics and the detailed /healthz).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App, type AppPorts } from '../../src/app.ts';
import { createTokenStore, type CreateTokenOptions } from '../../src/auth/tokens.ts';
import { systemClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger, type Logger } from '../../src/logger.ts';
import { openDatabase } from '../../src/store/database.ts';

export interface TestApp {
  app: App;
  ports: AppPorts;
  dir: string;
  dbPath: string;
  token: string;
  adminToken: string;
  httpUrl: string;
  wsUrl: string;
  stop(): Promise<void>;
}

export function createTestToken(dbPath: string, name = 'test', options?: CreateTokenOptions): string {
  const db = openDatabase({ path: dbPath });
  try {
    return createTokenStore({ db, clock: systemClock }).create(name, options).token;
  } finally {
    db.close();
  }
}

export async function startTestApp(
  options: { dir?: string; flags?: Record<string, unknown>; logger?: Logger; keepDir?: boolean } = {},
): Promise<TestApp> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'coincide-app-'));
  const dbPath = join(dir, 'coincide.db');
  const token = createTestToken(dbPath);
  const adminToken = createTestToken(dbPath, 'admin', { scopes: ['admin'] });
  const config = loadConfig({
    env: {},
    flags: {
      db: dbPath,
      'listen-host': '127.0.0.1',
      'http-port': '0',
      'receive-port': '0',
      'broadcast-port': '0',
      ...options.flags,
    },
  });
  const app = createApp(config, { logger: options.logger ?? silentLogger });
  const ports = await app.start();
  return {
    app,
    ports,
    dir,
    dbPath,
    token,
    adminToken,
    httpUrl: `http://127.0.0.1:${ports.http}`,
    wsUrl: `ws://127.0.0.1:${ports.http}/v1/stream`,
    async stop() {
      await app.stop();
      if (!options.keepDir && options.dir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}
