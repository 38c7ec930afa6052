/**
 * `coincide webhooks add|list|test|remove`, run as the real command, on a temp database, with a
 * real HTTP server on 127.0.0.1 as the endpoint.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { verifySignature } from '../../src/webhooks/signature.ts';
import { runCoincide } from '../e2e/serve-process.ts';
import { startReceiver } from '../webhooks/receiver.ts';

const dir = mkdtempSync(join(tmpdir(), 'coincide-cli-webhooks-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});
const ENV = { COINCIDE_WEBHOOK_ALLOW_HTTP_HOSTS: '127.0.0.1' };

describe('coincide webhooks', () => {
  it('adds a signed subscription, lists it without its URL path or secret, tests it, removes it', async () => {
    const db = join(dir, 'one.db');
    const receiver = await startReceiver((_r, index) => (index === 0 ? 200 : 500));
    try {
      const added = await runCoincide(
        [
          'webhooks',
          'add',
          '--db',
          db,
          '--id',
          'chat',
          '--url',
          `${receiver.url}/T0/B0/s3cr3t-path`,
          '--format',
          'slack',
          '--filters',
          '{"tiers":["gold"]}',
          '--generate-secret',
        ],
        ENV,
      );
      assert.equal(added.code, 0, added.stderr);
      const secret = added.stdout.trim().split('\n').at(-1) ?? '';
      assert.ok(secret.length >= 32);
      assert.equal(statSync(db).mode & 0o777, 0o600, 'the database holds secrets: 0600');

      const listed = await runCoincide(['webhooks', 'list', '--db', db, '--json'], ENV);
      assert.equal(listed.code, 0, listed.stderr);
      assert.ok(!listed.stdout.includes('s3cr3t-path') && !listed.stdout.includes(secret));
      const rows = JSON.parse(listed.stdout) as Array<Record<string, unknown>>;
      assert.equal(rows.length, 1);
      assert.deepEqual(
        { ...rows[0] },
        {
          id: 'chat',
          source: 'cli',
          format: 'slack',
          endpoint: `http://127.0.0.1:${receiver.port}/…`,
          signed: true,
          filters: { tiers: ['gold'] },
          cursorSeq: 0,
          backlog: 0,
          delivered: 0,
          dead: 0,
        },
      );
      const text = await runCoincide(['webhooks', 'list', '--db', db], ENV);
      assert.match(text.stdout, /^chat\tcli\tslack\thttp:\/\/127\.0\.0\.1:\d+\/…\tsigned\t/);

      const tested = await runCoincide(['webhooks', 'test', 'chat', '--db', db], ENV);
      assert.equal(tested.code, 0, tested.stderr);
      assert.equal(tested.stdout, 'delivered: HTTP 200\n');
      const request = receiver.requests[0];
      assert.ok(request);
      assert.equal(request.path, '/hook/T0/B0/s3cr3t-path');
      assert.match(
        (JSON.parse(request.body) as { text: string }).text,
        /^coincide webhook test for subscription chat/,
      );
      assert.ok(
        verifySignature(
          secret,
          Number(request.headers['x-coincide-timestamp']),
          request.body,
          String(request.headers['x-coincide-signature']),
        ),
      );
      const refused = await runCoincide(['webhooks', 'test', 'chat', '--db', db], ENV);
      assert.equal(refused.code, 1);
      assert.match(
        refused.stderr,
        /^coincide webhooks test: http:\/\/127\.0\.0\.1:\d+\/…: WEBHOOK_FAILED: HTTP 500/,
      );
      assert.ok(!refused.stderr.includes('s3cr3t'));

      assert.equal((await runCoincide(['webhooks', 'remove', 'chat', '--db', db], ENV)).code, 0);
      assert.equal((await runCoincide(['webhooks', 'remove', 'chat', '--db', db], ENV)).code, 1);
      assert.equal((await runCoincide(['webhooks', 'list', '--db', db], ENV)).stdout, '');
    } finally {
      await receiver.close();
    }
  });

  it('refuses plain http to a host not allowed, a bad filter and a bad format, with exit 2 and one line', async () => {
    const db = join(dir, 'two.db');
    const http = await runCoincide(['webhooks', 'add', '--db', db, '--url', 'http://127.0.0.1:9/x']);
    assert.equal(http.code, 2);
    assert.match(
      http.stderr,
      /^coincide webhooks: WEBHOOK_URL_REFUSED: .*plain http to 127\.0\.0\.1 is refused.*\n$/,
    );
    const filter = await runCoincide([
      'webhooks',
      'add',
      '--db',
      db,
      '--url',
      'https://hooks.example.org/x',
      '--filters',
      '{"tier":["gold"]}',
    ]);
    assert.equal(filter.code, 2);
    assert.match(filter.stderr, /unknown filter "tier"/);
    const secretFlag = await runCoincide(
      ['webhooks', 'add', '--db', db, '--url', 'https://hooks.example.org/x', '--secret-env', 'NOPE_NOT_SET'],
      {},
    );
    assert.equal(secretFlag.code, 2);
    assert.equal(secretFlag.stderr.split('\n').length, 2, 'one line');
    const format = await runCoincide([
      'webhooks',
      'add',
      '--db',
      db,
      '--url',
      'https://hooks.example.org/x',
      '--format',
      'xml',
    ]);
    assert.equal(format.code, 2);
    assert.equal(
      format.stderr,
      'coincide webhooks: CONFIG_INVALID: webhook format must be one of json, slack, text (got "xml")\n',
    );
  });
});
