/**
 * A real HTTP server (src/http/server.ts) with every route group and the WebSocket stream, on a
 * temp SQLite file and port 0. The event store's lookups are served from `notices` and `events`,
 * which the test fills.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createTokenStore, type TokenStore } from '../../src/auth/tokens.ts';
import { systemClock } from '../../src/clock.ts';
import { createHealthRegistry, type HealthRegistry } from '../../src/http/health.ts';
import { MetricsRegistry } from '../../src/http/metrics.ts';
import { coincidenceRoutes } from '../../src/http/routes/coincidences.ts';
import { eventRoutes } from '../../src/http/routes/events.ts';
import { noticeRoutes } from '../../src/http/routes/notices.ts';
import { serviceRoutes } from '../../src/http/routes/service.ts';
import { createHttpServer, listenHttp } from '../../src/http/server.ts';
import { silentLogger } from '../../src/logger.ts';
import type { Notice } from '../../src/notices/notice.ts';
import {
  createOutbox,
  type Outbox,
  type OutboxMessageType,
  type OutboxRecord,
} from '../../src/sinks/outbox.ts';
import { openDatabase, type SqliteDatabase } from '../../src/store/database.ts';
import { createWebSocketSink, type WebSocketSink } from '../../src/sinks/websocket.ts';

export interface ServerFixture {
  app: FastifyInstance;
  url: string;
  db: SqliteDatabase;
  outbox: Outbox;
  tokens: TokenStore;
  health: HealthRegistry;
  /** Notices served by /v1/notices/{triggerId} (as an event store would). */
  notices: Notice[];
  /** Raw events served by /v1/events/{ivorn}. */
  events: Map<string, Uint8Array>;
  /** The stream at ws://…/v1/stream. */
  websocket: WebSocketSink;
  wsUrl: string;
  /** Appends a message to the outbox and publishes it on the stream, as the app does. */
  publish(type: OutboxMessageType, data: unknown, triggerId?: string): OutboxRecord;
  close(): Promise<void>;
}

export async function startServer(options: { heartbeatMs?: number } = {}): Promise<ServerFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'coincide-http-'));
  const db = openDatabase({ path: join(dir, 'coincide.db') });
  const outbox = createOutbox({ db, clock: systemClock });
  const tokens = createTokenStore({ db, clock: systemClock });
  const health = createHealthRegistry(() => ({ status: 'ok', uptimeSec: 1, inputs: { 'vtp-receiver': {} } }));
  const metrics = new MetricsRegistry();
  metrics.counter('coincide_test_total', 'A test counter.').inc();
  const notices: Notice[] = [];
  const events = new Map<string, Uint8Array>();
  const app = await createHttpServer({
    tokens,
    logger: silentLogger,
    routes: [
      serviceRoutes({ health, metrics }),
      noticeRoutes({
        outbox,
        noticesByTriggerId: (triggerId) => notices.filter((n) => n.triggerId === triggerId),
      }),
      coincidenceRoutes({ outbox }),
      eventRoutes({
        rawEventByIvorn: (ivorn) => events.get(ivorn),
        noticesByIvorn: (ivorn) => notices.filter((n) => n.ivorn === ivorn),
      }),
    ],
  });
  const websocket = createWebSocketSink({
    server: app.server,
    outbox,
    tokens,
    clock: systemClock,
    logger: silentLogger,
    heartbeatMs: options.heartbeatMs ?? 30_000,
    maxBufferedBytes: 1 << 20,
  });
  const port = await listenHttp(app, 0, '127.0.0.1');
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    db,
    outbox,
    tokens,
    health,
    notices,
    events,
    websocket,
    wsUrl: `ws://127.0.0.1:${port}/v1/stream`,
    publish(type, data, triggerId) {
      const record = outbox.append(type, data, triggerId);
      websocket.publish(record, data);
      return record;
    },
    async close() {
      await websocket.close();
      await app.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
