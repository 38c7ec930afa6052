/**
 * A whole coincide VTP node for tests and the bench: one SQLite store, one ingestor, a receiver,
 * a broadcaster relaying every accepted event (raw bytes) and optional subscribers, wired the way
 * src/app.ts wires them.
 */
import { join } from 'node:path';
import { systemClock, type Clock } from '../../src/clock.ts';
import { createEventIngestor, type EventValidator } from '../../src/ingest/ingest-event.ts';
import { silentLogger, type Logger } from '../../src/logger.ts';
import { openDatabase } from '../../src/store/database.ts';
import { EventStore } from '../../src/store/event-store.ts';
import { createBroadcaster, type Broadcaster, type BroadcasterOptions } from '../../src/vtp/broadcaster.ts';
import { createReceiver } from '../../src/vtp/receiver.ts';
import { createSubscriber, type Subscriber } from '../../src/vtp/subscriber.ts';

export interface VtpNodeOptions {
  dir: string;
  localIvo: string;
  remotes?: string[];
  filters?: string[];
  validator?: EventValidator;
  logger?: Logger;
  clock?: Clock;
  broadcaster?: Partial<BroadcasterOptions>;
  subscriberBackoffMs?: number;
}

export interface VtpNode {
  receivePort: number;
  broadcastPort: number;
  store: EventStore;
  broadcaster: Broadcaster;
  subscribe(remotes: string[]): Promise<Subscriber>;
  stop(): Promise<void>;
}

export async function startVtpNode(options: VtpNodeOptions): Promise<VtpNode> {
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const db = openDatabase({ path: join(options.dir, `${options.localIvo.replace(/\W+/g, '_')}.sqlite`) });
  const store = new EventStore({ db });
  // Assigned once below; the ingestor's callback needs the name before the broadcaster exists.
  // eslint-disable-next-line prefer-const
  let broadcaster: Broadcaster | undefined;
  const ingestor = createEventIngestor({
    store,
    logger,
    clock,
    ...(options.validator ? { validator: options.validator } : {}),
    onEvent: (event) => {
      broadcaster?.broadcast(event.bytes, event.payload);
    },
  });
  broadcaster = createBroadcaster({
    localIvo: options.localIvo,
    logger,
    clock,
    port: 0,
    host: '127.0.0.1',
    testEventIntervalMs: 0,
    ...options.broadcaster,
  });
  const receiver = createReceiver({
    ingestor,
    localIvo: options.localIvo,
    logger,
    clock,
    port: 0,
    host: '127.0.0.1',
  });
  const { port: receivePort } = await receiver.start();
  const { port: broadcastPort } = await broadcaster.start();
  const subscribers: Subscriber[] = [];
  const subscribe = async (remotes: string[]): Promise<Subscriber> => {
    const s = createSubscriber({
      remotes,
      ingestor,
      logger,
      clock,
      localIvo: options.localIvo,
      filters: options.filters ?? [],
      backoff: { initialMs: options.subscriberBackoffMs ?? 50, maxMs: 1000 },
    });
    await s.start();
    subscribers.push(s);
    return s;
  };
  if (options.remotes && options.remotes.length > 0) await subscribe(options.remotes);
  const b = broadcaster;
  return {
    receivePort,
    broadcastPort,
    store,
    broadcaster: b,
    subscribe,
    async stop() {
      for (const s of subscribers) await s.stop();
      await receiver.stop();
      await b.stop();
      store.close();
      db.close();
    },
  };
}
