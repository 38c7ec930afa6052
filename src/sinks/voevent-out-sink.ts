/**
 * Sends each coincidence and withdrawal, as a VOEvent 2.0 packet (voevent-out.ts), to the VTP
 * broadcaster (our subscribers) and to the configured remote receivers (e.g. an SVOM or
 * GRANDMA VTP node, as an author would: one connection per event, wait for the ack).
 *
 * The last packet ivorn of each coincidence id is kept in SQLite (serve_voevent_out), so a
 * withdrawal cites the packet it withdraws even after a restart. Each packet is also stored
 * (through `store`) so /v1/events/{ivorn} serves it and a relay loop brings it back as a
 * duplicate. Sends to one remote are serialised (packets arrive in order); a send without a
 * receipt is retried with a doubling delay up to SEND_ATTEMPTS times; a nak is logged, never
 * retried (VTP 2.0: a nak is permanent for that document).
 */
import type { Clock } from '../clock.ts';
import type { HostPort } from '../config.ts';
import { describeError, isCoincideError } from '../errors.ts';
import type { Coincidence } from '../join/coincidence.ts';
import type { Logger } from '../logger.ts';
import type { SqliteDatabase } from '../store/database.ts';
import type { OutboxRecord } from './outbox.ts';
import { buildCoincidenceVoEvent } from './voevent-out.ts';

export const SEND_ATTEMPTS = 3;
export const SEND_RETRY_BASE_MS = 1000;

export interface VoEventOutSinkOptions {
  db: SqliteDatabase;
  localIvo: string;
  clock: Clock;
  logger: Logger;
  /** Sends bytes to every VTP subscriber; returns how many got them. */
  broadcast?: (bytes: Buffer) => number;
  remotes: readonly HostPort[];
  /** Author-role send: resolves with the receipt role and nak reason. */
  send: (remote: HostPort, bytes: Buffer) => Promise<{ role: 'ack' | 'nak'; result?: string }>;
  /** Stores the packet (event store), before it goes out. */
  store?: (bytes: Buffer, ivorn: string, role: string) => Promise<void>;
  onSent?: (sink: 'vtp-broadcaster' | 'vtp-sender', count: number) => void;
  retryBaseMs?: number;
}

export interface VoEventOutSink {
  publish(record: OutboxRecord, coincidence: Coincidence): Promise<string>;
  /** Waits for every queued remote send to finish. */
  flush(): Promise<void>;
}

export function createVoEventOutSink(options: VoEventOutSinkOptions): VoEventOutSink {
  const { db, logger } = options;
  const lastIvorn = db.prepare('SELECT ivorn FROM serve_voevent_out WHERE coincidence_id = ?').pluck();
  const remember = db.prepare(
    `INSERT INTO serve_voevent_out (coincidence_id, ivorn, seq) VALUES (?, ?, ?)
     ON CONFLICT (coincidence_id) DO UPDATE SET ivorn = excluded.ivorn, seq = excluded.seq`,
  );
  /**
   * Ivorns to remember, written together in one transaction on the next turn of the event loop:
   * one INSERT per coincidence in autocommit would cost one fsync each on this thread (a sky map
   * over a busy optical field gives thousands of coincidences at once, and the fsyncs stalled
   * VTP acks for seconds). Read through by `publish` until written.
   */
  const unwritten = new Map<string, { ivorn: string; seq: number }>();
  const rememberAll = db.transaction((rows: ReadonlyArray<[string, { ivorn: string; seq: number }]>) => {
    for (const [id, { ivorn, seq }] of rows) remember.run(id, ivorn, seq);
  });
  let writeScheduled = false;
  const writeRemembered = (): void => {
    writeScheduled = false;
    if (unwritten.size === 0) return;
    const rows = [...unwritten];
    try {
      rememberAll(rows);
      for (const [id, row] of rows) if (unwritten.get(id) === row) unwritten.delete(id);
    } catch (error) {
      // Kept for the next write; a later revision of the coincidence still cites the right ivorn.
      logger.error('coincidence VOEvent ivorns not remembered', { error: describeError(error) });
    }
  };
  const queues = new Map<string, Promise<void>>();
  const retryBaseMs = options.retryBaseMs ?? SEND_RETRY_BASE_MS;

  const sendWithRetry = async (remote: HostPort, bytes: Buffer, ivorn: string): Promise<void> => {
    const name = `${remote.host}:${remote.port}`;
    for (let attempt = 1; attempt <= SEND_ATTEMPTS; attempt++) {
      try {
        const receipt = await options.send(remote, bytes);
        if (receipt.role === 'ack') options.onSent?.('vtp-sender', 1);
        else
          logger.warn('remote receiver refused a coincidence VOEvent', {
            remote: name,
            ivorn,
            reason: receipt.result,
          });
        return;
      } catch (error) {
        const retriable = !isCoincideError(error) || error.retriable || error.code === 'VTP_CONNECTION';
        logger.warn('sending a coincidence VOEvent failed', {
          remote: name,
          ivorn,
          attempt,
          error: describeError(error),
        });
        if (!retriable || attempt === SEND_ATTEMPTS) return;
        await new Promise((resolve) => setTimeout(resolve, retryBaseMs * 2 ** (attempt - 1)));
      }
    }
  };

  return {
    async publish(record, coincidence) {
      const previous =
        unwritten.get(coincidence.id)?.ivorn ?? (lastIvorn.get(coincidence.id) as string | undefined);
      const { ivorn, xml } = buildCoincidenceVoEvent(coincidence, {
        localIvo: options.localIvo,
        seq: record.seq,
        nowMs: options.clock.nowMs(),
        ...(previous === undefined ? {} : { previousIvorn: previous }),
      });
      unwritten.set(coincidence.id, { ivorn, seq: record.seq });
      if (!writeScheduled) {
        writeScheduled = true;
        setImmediate(writeRemembered);
      }
      const bytes = Buffer.from(xml, 'utf8');
      await options.store?.(bytes, ivorn, coincidence.role);
      if (options.broadcast) options.onSent?.('vtp-broadcaster', options.broadcast(bytes));
      for (const remote of options.remotes) {
        const key = `${remote.host}:${remote.port}`;
        const next = (queues.get(key) ?? Promise.resolve()).then(() => sendWithRetry(remote, bytes, ivorn));
        queues.set(key, next);
      }
      return ivorn;
    },
    async flush() {
      writeRemembered();
      await Promise.all(queues.values());
    },
  };
}
