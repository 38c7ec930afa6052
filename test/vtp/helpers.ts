/**
 * Shared helpers for the VTP, store and ingest tests: temp stores, a schema validator over the
 * official VOEvent 2.0 XSD (from ../shared; the project's own validator replaces it when wired),
 * synthetic VOEvents written for these tests, and a raw framed client.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../src/clock.ts';
import {
  createEventIngestor,
  type EventIngestorOptions,
  type EventValidator,
} from '../../src/ingest/ingest-event.ts';
import type { Logger } from '../../src/logger.ts';
import { silentLogger } from '../../src/logger.ts';
import { systemClock } from '../../src/clock.ts';
import { openDatabase, type SqliteDatabase } from '../../src/store/database.ts';
import { EventStore } from '../../src/store/event-store.ts';
import { encodeFrame, FrameDecoder } from '../../src/vtp/framing.ts';
import { compileXsd, validateWithXsd } from '../../src/voevent/schema-validator.ts';
import { OFFICIAL_SCHEMAS_DIR } from '../helpers/shared.ts';

export function makeTempDir(prefix = 'coincide-vtp-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TempStore {
  dir: string;
  db: SqliteDatabase;
  store: EventStore;
  close(): void;
}

export function openTempStore(): TempStore {
  const { dir, remove } = makeTempDir('coincide-store-');
  const db = openDatabase({ path: join(dir, 'coincide.sqlite') });
  const store = new EventStore({ db });
  return {
    dir,
    db,
    store,
    close() {
      store.close();
      db.close();
      remove();
    },
  };
}

/** VOEvent 2.0 schema validation with libxml2 (libxml2-wasm) over the official XSD (../shared). */
export function officialSchemaValidator(): EventValidator {
  const xsd = compileXsd(join(OFFICIAL_SCHEMAS_DIR, 'VOEvent-v2.0.xsd'));
  return (bytes) => Promise.resolve(validateWithXsd(xsd, bytes));
}

export function testIngestor(
  store: EventStore,
  extra: Partial<EventIngestorOptions> & { logger?: Logger; clock?: Clock } = {},
) {
  return createEventIngestor({ store, logger: silentLogger, clock: systemClock, ...extra });
}

/**
 * A schema-valid VOEvent 2.0 written for these tests. `padBytes` adds a Description of that many
 * characters (to build over-limit events).
 */
export function makeVoEvent(
  ivorn: string,
  options: { role?: string; padBytes?: number; lat?: number } = {},
): Buffer {
  const role = options.role ?? 'observation';
  const pad = options.padBytes ? `<Description>${'x'.repeat(options.padBytes)}</Description>` : '';
  return Buffer.from(
    `<?xml version='1.0' encoding='UTF-8'?>
<voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ivorn="${ivorn}" role="${role}" version="2.0">
  <Who>
    <AuthorIVORN>ivo://test.coincide/author</AuthorIVORN>
    <Date>2026-11-25T09:00:00</Date>
  </Who>
  <What>
    <Param name="SC_Lat" value="${options.lat ?? 700}"/>
  </What>
  ${pad}
</voe:VOEvent>
`,
    'utf8',
  );
}

/**
 * Connects to 127.0.0.1:port, writes `chunks` (raw bytes, e.g. frames split at odd offsets),
 * collects every frame received until the server closes (or `closeAfterMs`), and reports
 * whether the server closed the connection.
 */
export function rawExchange(
  port: number,
  chunks: Buffer[],
  options: { waitMs?: number; endAfterWrite?: boolean } = {},
): Promise<{ frames: Buffer[]; closedByServer: boolean; bytesReceived: number }> {
  return new Promise((resolve) => {
    const frames: Buffer[] = [];
    let bytesReceived = 0;
    const socket = connect({ host: '127.0.0.1', port });
    const decoder = new FrameDecoder({
      onFrame: (f) => frames.push(Buffer.from(f)),
      onError: () => undefined,
    });
    let done = false;
    const finish = (closedByServer: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ frames, closedByServer, bytesReceived });
    };
    const timer = setTimeout(() => {
      finish(false);
    }, options.waitMs ?? 5000);
    socket.on('data', (chunk: Buffer) => {
      bytesReceived += chunk.length;
      decoder.push(chunk);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      finish(true);
    });
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
      if (options.endAfterWrite) socket.end();
    });
  });
}

export { encodeFrame };

/** A scripted VTP peer over a real socket: records every frame, sends what the test says. */
export class RawPeer {
  readonly frames: Buffer[] = [];
  closed = false;
  private readonly socket;
  private waiters: Array<() => void> = [];

  private constructor(socket: import('node:net').Socket) {
    this.socket = socket;
    const decoder = new FrameDecoder({
      onFrame: (f) => {
        this.frames.push(Buffer.from(f));
        this.wake();
      },
      onError: () => undefined,
    });
    socket.on('data', (chunk: Buffer) => {
      decoder.push(chunk);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static connect(port: number): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        resolve(new RawPeer(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Wraps an accepted server-side socket (to play a broker). */
  static accept(socket: import('node:net').Socket): RawPeer {
    return new RawPeer(socket);
  }

  send(payload: Buffer): void {
    this.socket.write(encodeFrame(payload));
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves when `condition()` holds (checked on every frame/close), rejects after timeoutMs. */
  async waitFor(condition: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 100));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

/** Polls `condition` every 10 ms until true or timeout. */
export async function eventually(
  condition: () => boolean,
  timeoutMs = 5000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
