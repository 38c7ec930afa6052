/**
 * A framed VTP connection over one TCP socket: frames in (FrameDecoder), frames out (encodeFrame).
 * Socket errors (ECONNRESET, EPIPE...) are logged and end the connection; they never throw.
 */
import type { Socket } from 'node:net';
import type { CoincideError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { encodeFrame, FrameDecoder } from './framing.ts';

export interface FramedConnectionOptions {
  socket: Socket;
  maxFrameBytes?: number;
  logger: Logger;
  onPayload: (payload: Buffer) => void;
  /** A fatal framing error; the socket is destroyed right after. */
  onFramingError?: (error: CoincideError) => void;
  onClose?: (hadError: boolean) => void;
}

export interface FramedConnection {
  readonly socket: Socket;
  /** "host:port" of the peer. */
  readonly peer: string;
  readonly remoteAddress: string;
  send(payload: Uint8Array): boolean;
  /** Flushes what was written, then closes. */
  end(): void;
  destroy(): void;
  readonly closed: boolean;
}

export function peerName(socket: Socket): string {
  const address = socket.remoteAddress ?? 'unknown';
  return address.includes(':')
    ? `[${address}]:${socket.remotePort ?? 0}`
    : `${address}:${socket.remotePort ?? 0}`;
}

/**
 * `logger.child(fields)`, made at its first use: the decoder logs only when a connection fails,
 * and a child logger made for every connection is a cost of every submission (issue 14). A class:
 * one object per connection, not an object and six closures.
 */
class LazyChildLogger implements Logger {
  private made: Logger | undefined;
  constructor(
    private readonly parent: Logger,
    private readonly fields: Record<string, unknown>,
  ) {}
  private get target(): Logger {
    return (this.made ??= this.parent.child(this.fields));
  }
  debug(message: string, extra?: Record<string, unknown>): void {
    this.target.debug(message, extra);
  }
  info(message: string, extra?: Record<string, unknown>): void {
    this.target.info(message, extra);
  }
  warn(message: string, extra?: Record<string, unknown>): void {
    this.target.warn(message, extra);
  }
  error(message: string, extra?: Record<string, unknown>): void {
    this.target.error(message, extra);
  }
  child(more: Record<string, unknown>): Logger {
    return this.target.child(more);
  }
}

export function createFramedConnection(options: FramedConnectionOptions): FramedConnection {
  const { socket, logger } = options;
  const peer = peerName(socket);
  let closed = false;
  const decoder = new FrameDecoder({
    ...(options.maxFrameBytes !== undefined ? { maxFrameBytes: options.maxFrameBytes } : {}),
    logger: new LazyChildLogger(logger, { peer }),
    onFrame: (payload) => {
      if (!closed) options.onPayload(payload);
    },
    onError: (error) => {
      options.onFramingError?.(error);
      socket.destroy();
    },
  });
  socket.setNoDelay(true);
  socket.on('data', (chunk: Buffer) => {
    decoder.push(chunk);
  });
  socket.on('error', (error) => {
    logger.debug('socket error', { peer, error: error.message });
  });
  socket.on('close', (hadError) => {
    closed = true;
    options.onClose?.(hadError);
  });
  return {
    socket,
    peer,
    remoteAddress: socket.remoteAddress ?? '',
    send(payload) {
      if (closed || socket.destroyed || socket.writableEnded) return false;
      return socket.write(encodeFrame(payload));
    },
    end() {
      if (!socket.writableEnded) socket.end();
    },
    destroy() {
      socket.destroy();
    },
    get closed() {
      return closed;
    },
  };
}
