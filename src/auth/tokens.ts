/**
 * API tokens for the WebSocket stream and the REST API.
 *
 * A token is `cct_` + 32 random bytes in base64url (256 bits). Only its SHA-256 is stored:
 * a stolen database yields no usable token. Verification hashes the presented token and
 * looks the hash up (an equality lookup on a hash of a 256-bit secret leaks nothing useful
 * through timing). Revocation sets revoked_ms; revoked tokens stay listed.
 *
 * Each token carries scopes and optional limits (src/auth/scopes.ts). Tokens created before
 * scopes existed were given DEFAULT_SCOPES and no limits by migration http-001, which is what
 * they could use before (metrics and the detailed health were open then and now need their own
 * scope).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { CoincideError } from '../errors.ts';
import type { SqliteDatabase } from '../store/database.ts';
import {
  DEFAULT_SCOPES,
  limitsFromLists,
  parseLimitList,
  parseScopes,
  type Scope,
  type TokenLimits,
} from './scopes.ts';

export const TOKEN_PREFIX = 'cct_';

export interface TokenInfo {
  id: number;
  name: string;
  createdMs: number;
  revokedMs: number | null;
  scopes: Scope[];
  limits: TokenLimits;
}

export interface CreateTokenOptions {
  /** Default DEFAULT_SCOPES. */
  scopes?: readonly Scope[];
  limits?: TokenLimits;
}

export interface TokenStore {
  /** Creates a token; the clear token is returned once and never stored. */
  create(name: string, options?: CreateTokenOptions): { token: string; info: TokenInfo };
  list(): TokenInfo[];
  /** Revokes by id or by name (every token of that name); returns how many were revoked. */
  revoke(idOrName: number | string): number;
  /** The token's record when it is valid (exists, not revoked), else undefined. */
  verify(token: string): TokenInfo | undefined;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

interface Row {
  id: number;
  name: string;
  created_ms: number;
  revoked_ms: number | null;
  scopes: string;
  limit_roles: string | null;
  limit_observatories: string | null;
  limit_authorities: string | null;
}

const listOrNull = (list: string[] | undefined): string | null =>
  list === undefined ? null : list.join(',');
const listOf = (text: string | null): string[] | undefined => (text === null ? undefined : [text]);

const toInfo = (row: Row): TokenInfo => ({
  id: row.id,
  name: row.name,
  createdMs: row.created_ms,
  revokedMs: row.revoked_ms,
  scopes: parseScopes([row.scopes]),
  limits: limitsFromLists({
    roles: listOf(row.limit_roles),
    observatories: listOf(row.limit_observatories),
    authorities: listOf(row.limit_authorities),
  }),
});

const COLUMNS =
  'id, name, created_ms, revoked_ms, scopes, limit_roles, limit_observatories, limit_authorities';

export function createTokenStore(options: { db: SqliteDatabase; clock: Clock }): TokenStore {
  const { db, clock } = options;
  const insert = db.prepare(
    `INSERT INTO serve_tokens (name, sha256, created_ms, scopes, limit_roles, limit_observatories, limit_authorities)
     VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
  );
  const all = db.prepare(`SELECT ${COLUMNS} FROM serve_tokens ORDER BY id`);
  const byHash = db.prepare(`SELECT ${COLUMNS} FROM serve_tokens WHERE sha256 = ?`);
  const revokeById = db.prepare('UPDATE serve_tokens SET revoked_ms = ? WHERE id = ? AND revoked_ms IS NULL');
  const revokeByName = db.prepare(
    'UPDATE serve_tokens SET revoked_ms = ? WHERE name = ? AND revoked_ms IS NULL',
  );

  return {
    create(name, createOptions = {}) {
      const trimmed = name.trim();
      if (trimmed === '') throw new CoincideError('USAGE', 'a token needs a non-empty name');
      const scopes = parseScopes(createOptions.scopes ?? DEFAULT_SCOPES);
      if (scopes.length === 0) throw new CoincideError('USAGE', 'a token needs at least one scope');
      const limits = createOptions.limits ?? {};
      const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
      const row = insert.get(
        trimmed,
        hashToken(token),
        clock.nowMs(),
        scopes.join(','),
        listOrNull(parseLimitList(limits.roles)),
        listOrNull(parseLimitList(limits.observatories)),
        listOrNull(parseLimitList(limits.authorities)),
      ) as Row;
      return { token, info: toInfo(row) };
    },
    list() {
      return (all.all() as Row[]).map(toInfo);
    },
    revoke(idOrName) {
      const now = clock.nowMs();
      const result =
        typeof idOrName === 'number' ? revokeById.run(now, idOrName) : revokeByName.run(now, idOrName);
      return result.changes;
    },
    verify(token) {
      if (!token.startsWith(TOKEN_PREFIX)) return undefined;
      const row = byHash.get(hashToken(token)) as Row | undefined;
      if (!row || row.revoked_ms !== null) return undefined;
      return toInfo(row);
    },
  };
}
