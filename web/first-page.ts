/**
 * The console's first call, `/console/records` for the newest page: started by web/boot.ts as
 * soon as the page's head is read, before the console's script has come and run (in a fresh
 * browser that script takes 100-300 ms to fetch, compile and start: bench/console.ts), and taken
 * over by web/main.ts, which starts it itself when boot did not (another token, a later start).
 */

/** Records of the first page: the list's first rows and more, small enough to show at once. */
export const FIRST_PAGE = 1000;

/** The newest page, with the notices of the triggers its coincidences name (src/http/routes/console-records.ts). */
export const FIRST_PAGE_PATH = `/console/records?limit=${FIRST_PAGE}&related=true`;

/** A call in flight: its answer, for which token, and when it was asked for (performance.now() ms). */
export interface StartedCall {
  token: string;
  startedMs: number;
  response: Promise<Response>;
}

declare global {
  interface Window {
    /** The first page's call started by web/boot.ts (null once web/main.ts has looked). */
    coincideFirstPage?: StartedCall | null;
  }
}

export function startCall(path: string, token: string): StartedCall {
  const startedMs = performance.now();
  const response = fetch(path, { headers: { Authorization: `Bearer ${token}` } });
  return { token, startedMs, response };
}

/** Starts the first page's call for web/main.ts, unless it has started already. */
export function startFirstPage(token: string): void {
  if (window.coincideFirstPage !== undefined) return;
  const call = startCall(FIRST_PAGE_PATH, token);
  // Awaited by web/main.ts: a failure must not be reported as unhandled meanwhile.
  call.response.catch(() => undefined);
  window.coincideFirstPage = call;
}

/** The first page's call started by boot for this token, taken once (later starts ask again). */
export function takeFirstPage(token: string): StartedCall | undefined {
  const call = window.coincideFirstPage;
  window.coincideFirstPage = null;
  return call?.token === token ? call : undefined;
}
