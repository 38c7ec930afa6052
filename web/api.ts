/** The console's calls to coincide: REST with the bearer token, and the stream (no handshake). */
import type { StreamRecord } from './model.ts';

export const TOKEN_KEY = 'coincide.token';

export class RefusedError extends Error {}

/** An answer whose body is still to come, with how long the server took to answer (to its headers). */
export interface Answer {
  response: Response;
  waitMs: number;
}

/** A GET that the server accepted (a refused token throws RefusedError, another error status an Error). */
export async function getOk(path: string, token: string): Promise<Answer> {
  const startedMs = performance.now();
  const response = await fetch(path, { headers: { Authorization: `Bearer ${token}` } });
  if (response.status === 401 || response.status === 403)
    throw new RefusedError(`token refused (${response.status})`);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return { response, waitMs: performance.now() - startedMs };
}

/** The answer's JSON body, with the time it took to come and be parsed (and the answer's waitMs). */
export async function jsonBody(answer: Answer): Promise<{ body: unknown; waitMs: number; bodyMs: number }> {
  const startedMs = performance.now();
  const body: unknown = await answer.response.json();
  return { body, waitMs: answer.waitMs, bodyMs: performance.now() - startedMs };
}

export async function getJson<T>(path: string, token: string): Promise<T> {
  return (await jsonBody(await getOk(path, token))).body as T;
}

export async function getBlob(path: string, token: string): Promise<Blob> {
  const response = await fetch(path, { headers: { Authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.blob();
}

/**
 * The live stream from `since` on; reconnects (resuming after the last seq seen) until closed.
 * The browser cannot set headers on a WebSocket, so the token goes in the query.
 */
export function openStream(
  token: string,
  since: number,
  onRecord: (record: StreamRecord) => void,
  onState: (state: 'live' | 'reconnecting') => void,
): () => void {
  let last = since;
  let closed = false;
  let ws: WebSocket | undefined;
  let delayMs = 500;
  const connect = (): void => {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    ws = new WebSocket(
      `${scheme}://${location.host}/v1/stream?token=${encodeURIComponent(token)}&since=${last}`,
    );
    ws.onmessage = (event) => {
      const record = JSON.parse(String(event.data)) as StreamRecord;
      if (record.type === 'heartbeat') {
        delayMs = 500;
        onState('live');
      } else {
        last = Math.max(last, record.seq);
        onRecord(record);
      }
    };
    ws.onclose = () => {
      if (closed) return;
      onState('reconnecting');
      setTimeout(connect, delayMs);
      delayMs = Math.min(delayMs * 2, 15_000);
    };
  };
  connect();
  return () => {
    closed = true;
    ws?.close();
  };
}
