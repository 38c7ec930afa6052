import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { generateDemo } from '../../scripts/demo/generate-demo.ts';
import { DEMO_DIR } from '../../src/cli/demo.ts';
import { CLI_NODE_ARGS } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'coincide-demo-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('coincide demo', () => {
  test('the committed fixtures are exactly what the generator script writes, and stay small', () => {
    const names = generateDemo(dir).sort();
    assert.deepEqual(readdirSync(DEMO_DIR).sort(), names);
    let total = 0;
    for (const name of names) {
      const committed = readFileSync(join(DEMO_DIR, name));
      total += committed.length;
      assert.ok(
        committed.equals(readFileSync(join(dir, name))),
        `${name} differs from the generator's output`,
      );
    }
    assert.ok(total < 1_000_000, `${total} bytes`);
  });

  test('shows the GW × GRB pair and the kilonova as the GW × optical candidate', () => {
    const result = spawnSync(process.execPath, [...CLI_NODE_ARGS, 'demo'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(result.status, 0, result.stderr);
    const out = result.stdout;
    assert.match(out, /^GW × GRB$/m);
    assert.match(out, /LVK:S170817dm[\s\S]*× Fermi:524666471[\s\S]*dt \+1\.7\d s in \[-1, 5\] s/);
    assert.match(out, /joint FAR \d\.\d+e-\d+ Hz/);
    assert.match(out, /^GW × optical: /m);
    const kilonova = out.split('\n').find((line) => line.includes('ZTF17aagfokn'));
    assert.ok(kilonova, out);
    assert.match(kilonova, /first detection \+10\.87 h .* tier (gold|silver)/);
    // The triple GW × GRB × kilonova, scored under the product of the GW map and the GBM circle.
    assert.match(out, /^Triples \(messenger pair × optical\): 1, most significant first$/m);
    assert.match(out, /GW × GRB × optical: LVK:S170817dm × Fermi:524666471\n {4}ZTF ZTF17aagfokn/);
    assert.match(
      out,
      /combined 90 % area [\d.]+ deg² \(trigger's [\d.]+ deg²\) · pair FAR [\d.e+-]+ Hz · triple FAR [\d.e+-]+ Hz/,
    );
  });

  test("the kilonova's tier rests on a measured background of at least 10 objects, never on one", () => {
    const result = spawnSync(process.execPath, [...CLI_NODE_ARGS, 'demo', '--json'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(result.status, 0, result.stderr);
    const kilonova = result.stdout
      .split('\n')
      .filter((line) => line.includes('ZTF17aagfokn'))
      .map(
        (line) => JSON.parse(line) as { tier: string | null; provenance: { rates: Record<string, number> } },
      );
    assert.ok(kilonova.length > 0);
    for (const c of kilonova) {
      assert.ok(c.tier === 'silver' || c.tier === 'gold', JSON.stringify(c));
      assert.ok((c.provenance.rates.backgroundNewObjects ?? 0) >= 10, JSON.stringify(c.provenance.rates));
    }
  });
});
