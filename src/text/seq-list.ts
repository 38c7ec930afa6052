/**
 * A set of stream seqs in a URL query, short: ascending, each written as its difference from the
 * one before (the first from 0) in base 36, joined by '.'. 1,000 scattered seqs below 20,000 take
 * about 3 characters each (a plain decimal list: 6), so the console can name the records it holds
 * in a GET (GET /console/records?skip=…) within the 16 KiB a request head may take.
 *
 * Shared by the server (src/http/routes/console-records.ts) and the browser (web/main.ts).
 */

/** The text of these seqs (positive integers; duplicates and order do not matter). */
export function encodeSeqList(seqs: Iterable<number>): string {
  const sorted = [...new Set(seqs)].sort((a, b) => a - b);
  let previous = 0;
  const parts: string[] = [];
  for (const seq of sorted) {
    parts.push((seq - previous).toString(36));
    previous = seq;
  }
  return parts.join('.');
}

/**
 * The longest prefix of encodeSeqList(seqs)'s items that fits in `maxChars` (whole items only):
 * the lowest seqs, ascending.
 */
export function encodeSeqListWithin(seqs: Iterable<number>, maxChars: number): string {
  const text = encodeSeqList(seqs);
  if (text.length <= maxChars) return text;
  const cut = text.lastIndexOf('.', maxChars);
  return cut <= 0 ? '' : text.slice(0, cut);
}

/** The seqs of such a text; throws RangeError on anything else (a difference of 0, a seq past 2^53). */
export function decodeSeqList(text: string): Set<number> {
  const seqs = new Set<number>();
  if (text === '') return seqs;
  let previous = 0;
  for (const part of text.split('.')) {
    if (!/^[0-9a-z]{1,11}$/.test(part))
      throw new RangeError(`"${part.slice(0, 20)}" is not a base-36 number`);
    const difference = parseInt(part, 36);
    const seq = previous + difference;
    if (difference === 0 || !Number.isSafeInteger(seq))
      throw new RangeError('the seqs must rise, and stay below 2^53');
    seqs.add(seq);
    previous = seq;
  }
  return seqs;
}
