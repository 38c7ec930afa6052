/**
 * The stream position of cluster mode: an opaque cursor that means the same on every instance.
 *
 * Every instance builds its merged stream from the same output topics, but interleaves their
 * partitions in its own order, so a local row number means nothing elsewhere. A position is
 * therefore a vector: for each topic partition ("topic/partition"), the highest offset the client
 * has been served (sent or filtered out). Within one partition every instance keeps the offset
 * order, so "every message at or below the vector" is the same set everywhere, and a client that
 * resumes with it on another instance is sent exactly the messages above it: no gap, no repeat.
 *
 * Text form: "c1." + base64url(JSON {part: offset}). Clients treat it as opaque.
 */
import { CoincideError } from '../errors.ts';

export type CursorVector = Readonly<Record<string, number>>;

const PREFIX = 'c1.';

export function isCursorText(text: string): boolean {
  return text.startsWith(PREFIX);
}

export function encodeCursor(vector: CursorVector): string {
  return PREFIX + Buffer.from(JSON.stringify(vector), 'utf8').toString('base64url');
}

/** The cursor of a vector given as its JSON text (as the merged stream stores it). */
export function cursorOfVectorText(vectorText: string): string {
  return PREFIX + Buffer.from(vectorText, 'utf8').toString('base64url');
}

/** The vector of a cursor; BAD_REQUEST when it is not one this version wrote. */
export function decodeCursor(text: string): CursorVector {
  const bad = (): never => {
    throw new CoincideError('BAD_REQUEST', `since "${text.slice(0, 40)}" is not a stream cursor`);
  };
  if (!isCursorText(text) || text.length > 65_536) bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text.slice(PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    return bad();
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return bad();
  const out: Record<string, number> = {};
  for (const [part, offset] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < -1) bad();
    out[part] = offset as number;
  }
  return out;
}

/** The element-wise maximum of two vectors. */
export function mergeVectors(a: CursorVector, b: CursorVector): CursorVector {
  const out: Record<string, number> = { ...a };
  for (const [part, offset] of Object.entries(b)) out[part] = Math.max(out[part] ?? -1, offset);
  return out;
}

/** True when `a` is at or above `b` in every partition of `b`. */
export function covers(a: CursorVector, b: CursorVector): boolean {
  for (const [part, offset] of Object.entries(b)) if ((a[part] ?? -1) < offset) return false;
  return true;
}
