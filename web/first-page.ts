/**
 * The console's first call, `/console/records` for the newest page (web/main.ts), which the
 * server compacts first at start-up (CONSOLE_FIRST_PAGE in src/http/routes/console-records.ts).
 * (Starting it from a tiny script in the page's head, before the console's script came, was
 * tried and measured slower: the server then answered it before the style sheet and script.)
 */

/** Records of the first page: the list's first rows and more, small enough to show at once. */
export const FIRST_PAGE = 1000;

/** The newest page, with the notices of the triggers its coincidences name (src/http/routes/console-records.ts). */
export const FIRST_PAGE_PATH = `/console/records?limit=${FIRST_PAGE}&related=true`;
