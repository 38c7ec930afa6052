/**
 * optical.kafka.schemaRegistryUrl: https, or plain http to this machine only, no credentials in
 * the URL; a bad one is refused when the configuration is read (CONFIG_INVALID), before `serve`
 * connects anywhere.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { checkSchemaRegistryUrl } from '../../src/optical/schema-registry-url.ts';

describe('the schema registry URL serve may fetch from', () => {
  it('accepts https anywhere, and plain http to 127.0.0.1, ::1 or localhost', () => {
    for (const url of [
      'https://registry.example.org',
      'https://registry.example.org:8443/base/',
      'http://127.0.0.1:8081',
      'http://[::1]:8081',
      'http://localhost:8081',
    ])
      assert.equal(checkSchemaRegistryUrl(url).href, new URL(url).href);
  });

  it('refuses plain http to another host, other protocols, credentials and non-URLs', () => {
    for (const [url, reason] of [
      ['http://registry.example.org:8081', /https only/],
      ['http://10.0.0.5:8081', /https only/],
      ['ftp://127.0.0.1/', /https only/],
      ['https://user:secret@registry.example.org', /credentials/],
      ['registry.example.org:8081', /https only|not a URL/],
      ['', /not a URL/],
    ] as const)
      assert.throws(
        () => checkSchemaRegistryUrl(url),
        (error: Error & { code?: string }) => error.code === 'CONFIG_INVALID' && reason.test(error.message),
        url,
      );
  });

  it('is checked when the configuration is read: empty is none, a bad URL refused with CONFIG_INVALID', () => {
    assert.equal(loadConfig({ env: {}, flags: {} }).optical.kafka.schemaRegistryUrl, '');
    assert.equal(
      loadConfig({ env: { COINCIDE_OPTICAL_KAFKA_SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081' }, flags: {} })
        .optical.kafka.schemaRegistryUrl,
      'http://127.0.0.1:8081',
    );
    assert.throws(
      () =>
        loadConfig({
          env: {},
          flags: { 'optical-kafka-schema-registry-url': 'http://registry.example.org' },
        }),
      { code: 'CONFIG_INVALID', message: /https only.*\(optical\.kafka\.schemaRegistryUrl\)/ },
    );
  });
});
