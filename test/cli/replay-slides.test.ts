/**
 * `coincide replay --time-slides N --slide-step S`: refusals (exit 2, one line), the report's
 * schema and the SVG plot, on the demo fixtures (GW170817-like LVK alert, GRB 170817A GBM
 * notice, 1 667 optical alerts). Two triggers 1.7 s apart make a 6.7 s ring: no class can be
 * measured, and the report must say why for each.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { REPORT_SCHEMA, type TimeSlideReport } from '../../src/replay/slides/report.ts';
import { CLI_NODE_ARGS } from '../helpers/cli.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const DEMO = join(ROOT, 'fixtures', 'demo');
const dir = mkdtempSync(join(tmpdir(), 'coincide-slides-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function replay(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...CLI_NODE_ARGS, 'replay', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('coincide replay --time-slides', () => {
  test('a slide step not larger than every window: exit 2 and one line', () => {
    const r = replay('--time-slides', '3', '--slide-step', '10', DEMO);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      'coincide replay: --slide-step 10 s must be larger than every window: gw-cbc×optical reaches 1209600 s\n',
    );
  });

  test('--time-slides without --slide-step, and --slide-step without --time-slides: exit 2', () => {
    const a = replay('--time-slides', '3', DEMO);
    assert.equal(a.status, 2);
    assert.match(a.stderr, /^coincide replay: --time-slides needs --slide-step S/);
    assert.equal(a.stderr.trim().split('\n').length, 1);
    const b = replay('--slide-step', '100', DEMO);
    assert.equal(b.status, 2);
    assert.equal(b.stderr, 'coincide replay: --slide-step, --plot and --sky-scramble need --time-slides N\n');
    const c = replay('--time-slides', '0', '--slide-step', '2000000', DEMO);
    assert.equal(c.status, 2);
    assert.equal(c.stderr, 'coincide replay: --time-slides must be a positive integer (got 0)\n');
  });

  test('the report: schema, method, every class with a reason, the real coincidences; an SVG', () => {
    const out = join(dir, 'report.json');
    const plot = join(dir, 'plot.svg');
    const r = replay('--time-slides', '3', '--slide-step', '1300000', '--out', out, '--plot', plot, DEMO);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '');
    const report = JSON.parse(readFileSync(out, 'utf8')) as TimeSlideReport;
    assert.equal(report.schema, REPORT_SCHEMA);
    assert.equal(report.inputs.notices, 2);
    assert.equal(report.inputs.alerts, 1667);
    assert.deepEqual(report.inputs.triggers, { grb: 1, 'gw-cbc': 1 });
    assert.equal(report.method.slides, 3);
    assert.equal(report.method.slideStepSec, 1_300_000);
    assert.deepEqual(report.method.streamIndex, { gw: 1, gamma: 2 });
    assert.equal(report.method.opticalHistoryDays, 8);
    assert.ok(report.method.ringPeriodSec > 6 && report.method.ringPeriodSec < 7);
    assert.deepEqual(
      report.classes.map((c) => c.key),
      ['grb×optical', 'gw-cbc×grb', 'gw-cbc×grb×optical', 'gw-cbc×optical'],
    );
    for (const c of report.classes) {
      assert.equal(c.measurable, false);
      assert.match(c.reason ?? '', /not longer than twice the window extent/);
      assert.deepEqual(c.thresholds, []);
    }
    assert.equal(report.summary.length, 4);
    assert.equal(report.throughput.loadAverage.length, 3);
    assert.ok(report.throughput.slidesPerSec > 0);
    // The unslid run's coincidences are listed with their analytic values (no empirical ones here).
    assert.ok(report.real.some((c) => c.pairType === 'mm-mm' && c.classKey === 'gw-cbc×grb'));
    // Triples are listed under their own class.
    for (const c of report.real.filter((x) => x.pairType === 'mm-mm-optical'))
      assert.equal(c.classKey, 'gw-cbc×grb×optical');
    for (const c of report.real) {
      assert.ok(c.pChance >= 0 && c.pChance <= 1);
      assert.equal(c.pEmpirical, undefined);
    }
    const svg = readFileSync(plot, 'utf8');
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(svg, /no measurable class/);
    // One summary line per class, then the throughput line.
    assert.equal(r.stderr.trim().split('\n').length, 5);
  });

  test('--sky-scramble: refusals (exit 2, one line), and the report says which scramble was applied', () => {
    const bad = replay('--time-slides', '2', '--slide-step', '1300000', '--sky-scramble', 'spin', DEMO);
    assert.equal(bad.status, 2);
    assert.equal(bad.stdout, '');
    assert.equal(bad.stderr, 'coincide replay: --sky-scramble must be ra or isotropic (got spin)\n');
    const seedAlone = replay('--time-slides', '2', '--slide-step', '1300000', '--scramble-seed', '4', DEMO);
    assert.equal(seedAlone.status, 2);
    assert.equal(seedAlone.stderr, 'coincide replay: --scramble-seed needs --sky-scramble ra|isotropic\n');
    const noSlides = replay('--sky-scramble', 'ra', DEMO);
    assert.equal(noSlides.status, 2);
    assert.equal(
      noSlides.stderr,
      'coincide replay: --slide-step, --plot and --sky-scramble need --time-slides N\n',
    );

    const reports = new Map<string, TimeSlideReport>();
    for (const [name, flags] of [
      ['none', []],
      ['ra', ['--sky-scramble', 'ra', '--scramble-seed', '5']],
      ['isotropic', ['--sky-scramble', 'isotropic']],
    ] as const) {
      const out = join(dir, `scramble-${name}.json`);
      const r = replay('--time-slides', '2', '--slide-step', '1300000', '--out', out, ...flags, DEMO);
      assert.equal(r.status, 0, r.stderr);
      reports.set(name, JSON.parse(readFileSync(out, 'utf8')) as TimeSlideReport);
    }
    assert.equal(reports.get('none')?.method.skyScramble, null);
    assert.deepEqual(reports.get('ra')?.method.skyScramble, { mode: 'ra', seed: 5 });
    assert.deepEqual(reports.get('isotropic')?.method.skyScramble, { mode: 'isotropic', seed: 1 });
    // The unslid run is not scrambled: the same real coincidences with or without.
    const real = (name: string): string[] => (reports.get(name)?.real ?? []).map((c) => c.id).sort();
    assert.ok(real('none').length > 0);
    assert.deepEqual(real('ra'), real('none'));
    assert.deepEqual(real('isotropic'), real('none'));
  });
});
