/** "line L, column C" (both 1-based; columns count UTF-16 code units, tabs as one) of `offset` in `text`. */
export function lineColumnAt(text: string, offset: number): string {
  const end = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let k = text.indexOf('\n'); k >= 0 && k < end; k = text.indexOf('\n', k + 1)) {
    line += 1;
    lineStart = k + 1;
  }
  return `line ${line}, column ${end - lineStart + 1}`;
}
