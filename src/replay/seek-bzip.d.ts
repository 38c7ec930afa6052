// Types for seek-bzip 2.0.0 (it ships none): the whole-buffer bzip2 decoder used by archive.ts.
declare module 'seek-bzip' {
  const seekBzip: {
    /** Decompresses a whole .bz2 buffer (every stream in it). */
    decode(input: Buffer, output?: Buffer): Buffer;
  };
  export default seekBzip;
}
