/**
 * Tables of the HTTP area: token scopes and limits (src/auth/scopes.ts).
 */
import type { Migration } from './migration.ts';

export const HTTP_MIGRATIONS: readonly Migration[] = [
  {
    id: 'http-001-token-scopes',
    // Tokens that exist already keep what they could use before: the stream and the REST reads,
    // with no limits (NULL = unlimited). Scopes and limits are comma-separated lists.
    sql: `ALTER TABLE serve_tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT 'stream,notices,coincidences,events';
    ALTER TABLE serve_tokens ADD COLUMN limit_roles TEXT;
    ALTER TABLE serve_tokens ADD COLUMN limit_observatories TEXT;
    ALTER TABLE serve_tokens ADD COLUMN limit_authorities TEXT;`,
  },
];
