/**
 * Every route of the real app (all route groups, whoever added them), read from its own OpenAPI
 * document: a route that declares a scope refuses a request without a token (401) and one with
 * every other scope (403), and lets one with its scope through; a route that declares none is
 * open. Scope checks run before the handler, so path parameters can be any value.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SCOPES, scopesInclude, type Scope } from '../../src/auth/scopes.ts';
import { createTestToken, startTestApp } from '../http/start-app.ts';

interface Operation {
  description?: string;
  security?: unknown;
}

describe('app HTTP access', () => {
  it('enforces the declared scope of every route of the OpenAPI document', async () => {
    const t = await startTestApp();
    try {
      const doc = (await (await fetch(`${t.httpUrl}/v1/openapi.json`)).json()) as {
        paths: Record<string, Record<string, Operation>>;
      };
      const tokenWith = new Map<string, string>();
      const token = (scopes: Scope[]): string => {
        const key = scopes.join(',');
        let value = tokenWith.get(key);
        if (value === undefined) {
          value = createTestToken(t.dbPath, key, { scopes });
          tokenWith.set(key, value);
        }
        return value;
      };
      let checked = 0;
      for (const [template, operations] of Object.entries(doc.paths)) {
        const path = template.replace(/\{[^}]+\}/g, 'x');
        for (const [method, operation] of Object.entries(operations)) {
          const request = (bearer?: string): Promise<Response> =>
            fetch(`${t.httpUrl}${path}`, {
              method: method.toUpperCase(),
              ...(method === 'post' ? { body: '' } : {}),
              headers: bearer === undefined ? {} : { Authorization: `Bearer ${bearer}` },
            });
          const scope = /Needs a token with scope `([a-z]+)`/.exec(operation.description ?? '')?.[1] as
            Scope | undefined;
          const label = `${method.toUpperCase()} ${template}`;
          if (scope === undefined) {
            assert.equal(operation.security, undefined, `${label} declares security but no scope`);
            assert.notEqual((await request()).status, 401, `${label} is open`);
            continue;
          }
          assert.ok(SCOPES.includes(scope), `${label}: scope ${scope}`);
          assert.equal((await request()).status, 401, `${label} without a token`);
          const others = SCOPES.filter((s) => !scopesInclude([s], scope));
          assert.equal((await request(token(others))).status, 403, `${label} with ${others.join(',')}`);
          const allowed = (await request(token([scope]))).status;
          assert.ok(allowed !== 401 && allowed !== 403, `${label} with ${scope}: ${allowed}`);
          checked += 1;
        }
      }
      assert.ok(checked >= 5, `checked ${checked} scoped operations`);
    } finally {
      await t.stop();
    }
  });
});
