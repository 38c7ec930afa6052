import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { encodeConfluentMessage } from '../../src/optical/wire-format.ts';
import { PROJECT_ROOT, samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { sampleRecords } from '../optical/avro-fixtures.ts';
import { CLI_NODE_ARGS } from '../helpers/cli.ts';

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI_NODE_ARGS, ...args], {
      cwd: PROJECT_ROOT,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

describe('coincide alerts', { skip: skipUnlessShared() }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'coincide-cli-alerts-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints one OpticalAlert JSON line per alert with ids as decimal strings', async () => {
    const { code, stdout, stderr } = await runCli([
      'alerts',
      samplePath('ztf-avro/fink'),
      samplePath('lsst-avro/v10_0'),
    ]);
    assert.equal(stderr, '');
    assert.equal(code, 0);
    const lines = stdout.trim().split('\n');
    assert.equal(lines.length, 6);
    const alerts = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(alerts[0]?.alertId, '1788116342915015046');
    assert.equal(alerts[5]?.alertId, '281323062375219200');
    assert.equal(alerts[5].survey, 'LSST');
    assert.ok(lines[0]?.includes('"alertId":"1788116342915015046"'), 'the id is a JSON string, not a number');
  });

  it('prints the same output with --full as with the projected reader', async () => {
    const projected = await runCli(['alerts', samplePath('ztf-avro/2475433850315015009.avro')]);
    const full = await runCli(['alerts', '--full', samplePath('ztf-avro/2475433850315015009.avro')]);
    assert.equal(full.stdout, projected.stdout);
    assert.equal(full.code, 0);
  });

  it('exits 2 with one stderr line per bad file and still prints the good ones', async () => {
    const bad = join(dir, 'bad.avro');
    writeFileSync(bad, 'Obj\u0001 truncated');
    const { code, stdout, stderr } = await runCli([
      'alerts',
      bad,
      join(dir, 'missing.avro'),
      samplePath('ztf-avro/ZTF19acihgng.avro'),
    ]);
    assert.equal(code, 2);
    assert.equal(stdout.trim().split('\n').length, 1);
    const errors = stderr.trim().split('\n');
    assert.equal(errors.length, 2);
    assert.match(errors[0] ?? '', /^coincide alerts: .*missing\.avro: NOT_FOUND: /);
    assert.match(errors[1] ?? '', /^coincide alerts: .*bad\.avro: AVRO_MALFORMED: /);
    assert.ok(!stderr.includes('    at '), 'no stack trace');
  });

  it('reads a Confluent-framed LSST message file with --schemas', async () => {
    const { compiled, records } = sampleRecords('lsst-avro/v9_0/fakeAlert.avro');
    const file = join(dir, 'message.avro');
    writeFileSync(file, encodeConfluentMessage(900, compiled.writerType.toBuffer(records[0])));
    const ok = await runCli(['alerts', '--schemas', samplePath('lsst-avro'), file]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((JSON.parse(ok.stdout) as { alertId: string }).alertId, '281323062375219200');
    const noSchemas = await runCli(['alerts', file]);
    assert.equal(noSchemas.code, 2);
    assert.match(noSchemas.stderr, /AVRO_UNKNOWN_SCHEMA/);
  });
});
