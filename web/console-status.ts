/**
 * What the console leaves on `window.coincideConsole` for the tests and bench/console.ts (types
 * only: the benchmark imports them too). The first render: the newest page of records (with the
 * notices of the triggers its coincidences name) in the list and on the sky, when it finished
 * (performance.now() ms: since navigation start) and how long it took. Then the older records,
 * loaded in the background while the page is in use: `complete` is set when they are all drawn.
 */
export interface ConsoleStatus {
  renderedMs: number;
  renderMs: number;
  /** Parts of renderMs: the server's answer (to its headers), the body (to come and be parsed), the model, the list, the sky. */
  parts: Record<string, number>;
  /** Records shown by the first render. */
  firstRecords: number;
  /** Records loaded so far (first page, older records, and live). */
  records: number;
  live: number;
  /** Every older record loaded and drawn: when (performance.now() ms), and the parts' totals over them. */
  complete?: {
    renderedMs: number;
    /** Calls for older records (one, unless more than the console's most are asked for). */
    pages: number;
    /** Parts of them shown one after another (2,500 records each). */
    chunks: number;
    records: number;
    parts: Record<string, number>;
  };
  /** The markers drawn on the sky, where they are on the page. */
  markers: () => Array<{
    id: string;
    triggerId: string;
    style: string;
    clientX: number;
    clientY: number;
  }>;
}
