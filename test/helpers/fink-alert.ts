/**
 * A Fink-enriched ZTF alert for the Fink tests, built by test/helpers/fink_peer.py (fastavro, Fink's
 * distribution schema, the fink-client sample alert) with these values: a new object first seen
 * `firstSeenDays` after the trigger, at the given position, with Fink's added values.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { venvExecutable } from './python.ts';
import { PROJECT_ROOT } from './shared.ts';

export const FINK_PEER = join(PROJECT_ROOT, 'test', 'helpers', 'fink_peer.py');

export const FINK_VALUES = {
  fink_class: 'SN candidate',
  cdsxmatch: 'Unknown',
  rf_snia_vs_nonia: 0.12,
  snn_sn_vs_all: 0.81,
  roid: 0,
  nalerthist: 2,
  mag_rate: -0.52,
  sigma_rate: 0.03,
  anomaly_score: -0.21,
};

export interface FinkAlertSpec {
  candid: bigint;
  triggerJd: number;
  raDeg: number;
  decDeg: number;
}

export function finkAlertCandidate(spec: FinkAlertSpec): Record<string, number | string> {
  return {
    jd: spec.triggerJd + 0.25,
    jdstarthist: spec.triggerJd + 0.2,
    ra: spec.raDeg,
    dec: spec.decDeg,
    rb: 0.93,
    drb: 0.99,
    fid: 2,
    magpsf: 18.25,
    sigmapsf: 0.05,
    isdiffpos: 't',
    ssdistnr: -999,
    ssmagnr: -999,
    ndethist: 2,
  };
}

/** The peer's PARAMS_JSON: candid spliced in as exact text (JSON numbers are doubles in JavaScript). */
export function finkAlertParams(spec: FinkAlertSpec): string {
  const candidate = { ...finkAlertCandidate(spec), candid: 0 };
  return JSON.stringify({ fink: FINK_VALUES, candidate }).replace(
    '"candid":0',
    `"candid":${spec.candid.toString()}`,
  );
}

/** Runs fink_peer.py with `args`; one JSON object per output line. */
export function runFinkPeer(args: string[]): Array<Record<string, unknown>> {
  const run = spawnSync(venvExecutable('python'), [FINK_PEER, ...args], {
    encoding: 'utf8',
    timeout: 240_000,
  });
  if (run.status !== 0) throw new Error(`fink_peer.py ${args[0] ?? ''} failed: ${run.stderr}`);
  return run.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
