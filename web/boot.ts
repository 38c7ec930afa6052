/**
 * The console's first script, tiny and run from the page's head: starts the first page's call
 * (web/first-page.ts) while the browser fetches and compiles the console's script (web/main.ts).
 */
import { TOKEN_KEY } from './api.ts';
import { startFirstPage } from './first-page.ts';

const token = localStorage.getItem(TOKEN_KEY);
// The console's own page (a trigger's page, /triggers/{id}, makes other calls).
if (token && location.pathname === '/') startFirstPage(token);
