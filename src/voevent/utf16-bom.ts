/**
 * UTF-16 documents are recognised by their byte-order mark (XML 1.0 §4.3.3: a UTF-16 entity
 * must begin with one), as Comet's lxml does; the decoders drop the mark.
 */
export function utf16Encoding(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  if (bytes.length < 2) return undefined;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return undefined;
}
