/**
 * A decode thread's answer (one DecodedFile per file of a run) packed for the trip to the calling
 * thread (decode-pool.ts), instead of posting the alert objects as they are.
 *
 * Why: postMessage's structured clone writes every alert's property names with its values, and
 * the receiver creates and interns each name again: 3–10 µs per alert each way, on threads that
 * have no core to spare (issue 14: replay is CPU-bound on 2 cores). Here the names go once per
 * message, as shapes (the keys of an alert, in order, with the kind of each value); every number
 * and boolean goes into one Float64Array (copied as one block); strings go in one array.
 *
 * Exact: the unpacked alerts have the same keys in the same order (JSON output is byte-identical)
 * with the same values: numbers as float64 (NaN and −0 included), and any value that is not a
 * string, number, boolean, null or undefined (Fink's added values, an object) goes as itself, by
 * structured clone.
 */
import type { OpticalAlert } from '../optical/optical-alert.ts';
import type { DecodedFile } from './decode-file.ts';

/** The kind of a value: string, number, boolean, undefined, null, or any other (cloned). */
type Kind = 's' | 'n' | 'b' | 'u' | 'z' | 'o';

export interface PackedFiles {
  /** Each shape: the keys in order, and one Kind letter per key. */
  shapes: Array<[keys: string[], kinds: string]>;
  /**
   * The number of files; then per file: its alert count, or OTHER, or FAILED; then per alert its shape's index, then its
   * numbers and booleans (1 / 0) in key order.
   */
  values: Float64Array<ArrayBuffer>;
  /** The string values, in order. */
  strings: string[];
  /** Failure messages and values of kind 'o', in order. */
  extra: unknown[];
}

const OTHER = -1;
const FAILED = -2;

function kindOf(value: unknown): Kind {
  switch (typeof value) {
    case 'string':
      return 's';
    case 'number':
      return 'n';
    case 'boolean':
      return 'b';
    case 'undefined':
      return 'u';
    default:
      return value === null ? 'z' : 'o';
  }
}

/** A growable Float64Array. */
class Numbers {
  array = new Float64Array(1024);
  length = 0;
  push(x: number): void {
    if (this.length === this.array.length) {
      const grown = new Float64Array(2 * this.array.length);
      grown.set(this.array);
      this.array = grown;
    }
    this.array[this.length++] = x;
  }
}

interface Shape {
  index: number;
  keys: string[];
  kinds: string;
}

/** Packs the results of a run (the thread side). */
export function packFiles(files: readonly DecodedFile[]): PackedFiles {
  const numbers = new Numbers();
  const strings: string[] = [];
  const extra: unknown[] = [];
  const shapes: Shape[] = [];
  const keyBuffer: string[] = [];
  let kindBuffer = '';

  /** The shape of `alert` (keys in their order, kinds of their values), added if new. */
  const shapeOf = (alert: Record<string, unknown>): Shape => {
    candidates: for (const shape of shapes) {
      let i = 0;
      for (const key in alert) {
        if (key !== shape.keys[i] || kindOf(alert[key]) !== shape.kinds[i]) continue candidates;
        i++;
      }
      if (i === shape.keys.length) return shape;
    }
    keyBuffer.length = 0;
    kindBuffer = '';
    for (const key in alert) {
      keyBuffer.push(key);
      kindBuffer += kindOf(alert[key]);
    }
    const shape = { index: shapes.length, keys: [...keyBuffer], kinds: kindBuffer };
    shapes.push(shape);
    return shape;
  };

  numbers.push(files.length);
  for (const file of files) {
    if (file.kind === 'other') {
      numbers.push(OTHER);
      continue;
    }
    if (file.kind === 'failed') {
      numbers.push(FAILED);
      extra.push(file.message);
      continue;
    }
    numbers.push(file.alerts.length);
    for (const alert of file.alerts as unknown as Array<Record<string, unknown>>) {
      const shape = shapeOf(alert);
      numbers.push(shape.index);
      const { keys, kinds } = shape;
      for (let i = 0; i < keys.length; i++) {
        const value = alert[keys[i] as string];
        switch (kinds[i]) {
          case 's':
            strings.push(value as string);
            break;
          case 'n':
            numbers.push(value as number);
            break;
          case 'b':
            numbers.push(value === true ? 1 : 0);
            break;
          case 'o':
            extra.push(value);
            break;
          default: // 'u', 'z': the kind says it all
        }
      }
    }
  }
  return {
    shapes: shapes.map((s) => [s.keys, s.kinds]),
    values: numbers.array.slice(0, numbers.length),
    strings,
    extra,
  };
}

/** The results of a run, as they were packed (the calling thread's side). */
export function unpackFiles(packed: PackedFiles): DecodedFile[] {
  const { shapes, values, strings, extra } = packed;
  const files = values[0] as number;
  let v = 1;
  let s = 0;
  let e = 0;
  const out: DecodedFile[] = [];
  for (let f = 0; f < files; f++) {
    const count = values[v++] as number;
    if (count === OTHER) {
      out.push({ kind: 'other' });
      continue;
    }
    if (count === FAILED) {
      out.push({ kind: 'failed', message: extra[e++] as string });
      continue;
    }
    const alerts: OpticalAlert[] = [];
    for (let a = 0; a < count; a++) {
      const [keys, kinds] = shapes[values[v++] as number] as [string[], string];
      const alert: Record<string, unknown> = {};
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as string;
        switch (kinds.charCodeAt(i)) {
          case 115: // s
            alert[key] = strings[s++];
            break;
          case 110: // n
            alert[key] = values[v++];
            break;
          case 98: // b
            alert[key] = values[v++] === 1;
            break;
          case 117: // u
            alert[key] = undefined;
            break;
          case 122: // z
            alert[key] = null;
            break;
          default: // o
            alert[key] = extra[e++];
        }
      }
      alerts.push(alert as unknown as OpticalAlert);
    }
    out.push({ kind: 'alerts', alerts });
  }
  return out;
}
