/**
 * JSON Lines sink: every outgoing message as one line `{"type","seq","data"}`, appended to a
 * file or written to stdout ("-"). The same framing as the WebSocket stream, so a file can be
 * replayed or diffed against a `coincide listen` capture.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { OutboxRecord } from './outbox.ts';

export interface JsonlSink {
  write(record: OutboxRecord): void;
  close(): Promise<void>;
}

export function formatJsonlRecord(record: OutboxRecord): string {
  return `{"type":"${record.type}","seq":${record.seq},"data":${record.json}}\n`;
}

export function createJsonlSink(options: { path: string }): JsonlSink {
  const toStdout = options.path === '-';
  const stream: NodeJS.WritableStream | WriteStream = toStdout
    ? process.stdout
    : createWriteStream(options.path, { flags: 'a' });
  return {
    write(record) {
      stream.write(formatJsonlRecord(record));
    },
    async close() {
      if (toStdout) return;
      await new Promise<void>((resolve) => {
        stream.end(() => {
          resolve();
        });
      });
    },
  };
}
