/**
 * Multi-messenger notices of a generated night for bench/night.ts, made from the real upstream
 * samples with their times, ids and (for circles) positions moved into the night:
 *   - GW: the LVK Kafka (igwn.gwalert) INITIAL alert of S230518h with its real embedded sky map,
 *     and the same alert carrying the real bayestar.multiorder.fits map instead;
 *   - GRB: the Fermi GBM ground position of GRB 230911 (VOEvent), moved around the sky;
 *   - neutrino: the IceCube Gold track of 2023-10-04 (VOEvent), moved around the sky.
 * The documents are the samples' bytes with a handful of values replaced: what the parsers read
 * is what a real night would deliver.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLES_DIR, seededRandom } from '../../scripts/optical/packets.ts';
import { RAD_PER_DEG } from '../../src/sky/angles.ts';
import { mjdToUnixMs } from '../../src/time/mjd.ts';

export interface NightNotice {
  /** File name for the replay folder. */
  name: string;
  bytes: Buffer;
  /** 'voevent' documents can also be sent over VTP to `coincide serve`. */
  format: 'voevent' | 'igwn-json';
  triggerMjd: number;
}

const GBM = join(SAMPLES_DIR, 'voevent', 'grb', 'GBM_Gnd_Pos_2023-09-11T07:53:09.73_716111594_58-491.xml');
const ICECUBE = join(
  SAMPLES_DIR,
  'voevent',
  'neutrino',
  'ICECUBE_GOLD_Event2023-10-04T14:39:41.18_24_138415_056188508_0.xml',
);
export const LVK_SAMPLE = join(SAMPLES_DIR, 'gcn-json', 'igwn', 'initial.txt');
const LVK = LVK_SAMPLE;
export const BAYESTAR = join(SAMPLES_DIR, 'skymaps', 'bayestar.multiorder.fits');

/** ISO 8601 UTC with `digits` fraction digits and no zone letter (VOEvent style). */
function iso(mjd: number, digits: number): string {
  const s = new Date(mjdToUnixMs(mjd)).toISOString();
  return digits === 0 ? s.slice(0, 19) : s.slice(0, 20 + digits);
}

/** TJD (MJD − 40000, integer) and seconds of day, as GCN packets carry them. */
function tjdSod(mjd: number): { tjd: number; sod: string } {
  const tjd = Math.floor(mjd) - 40_000;
  return { tjd, sod: ((mjd - Math.floor(mjd)) * 86_400).toFixed(2) };
}

function replaceOnce(text: string, pattern: RegExp, value: string): string {
  if (!pattern.test(text)) throw new Error(`notice template: ${String(pattern)} not found`);
  return text.replace(pattern, value);
}

export function gbm(n: number, mjd: number, raDeg: number, decDeg: number, radiusDeg: number): NightNotice {
  const trigId = 790_000_000 + n;
  const stamp = iso(mjd, 2);
  const { tjd, sod } = tjdSod(mjd);
  let x = readFileSync(GBM, 'utf8');
  x = replaceOnce(
    x,
    /GBM_Gnd_Pos_2023-09-11T07:53:09\.73_716111594_58-491/,
    `GBM_Gnd_Pos_${stamp}_${trigId}_58-491`,
  );
  x = replaceOnce(x, /name="TrigID" value="716111594"/, `name="TrigID" value="${trigId}"`);
  x = replaceOnce(x, /name="Burst_TJD" value="\d+"/, `name="Burst_TJD" value="${tjd}"`);
  x = replaceOnce(x, /name="Burst_SOD" value="[\d.]+"/, `name="Burst_SOD" value="${sod}"`);
  x = replaceOnce(x, /<Date>[^<]+<\/Date>/, `<Date>${iso(mjd + 20 / 86_400, 0)}</Date>`);
  x = replaceOnce(x, /<ISOTime>[^<]+<\/ISOTime>/, `<ISOTime>${stamp}</ISOTime>`);
  x = replaceOnce(x, /<C1>[^<]+<\/C1>/, `<C1>${raDeg.toFixed(4)}</C1>`);
  x = replaceOnce(x, /<C2>[^<]+<\/C2>/, `<C2>${decDeg.toFixed(4)}</C2>`);
  x = replaceOnce(
    x,
    /<Error2Radius>[^<]+<\/Error2Radius>/,
    `<Error2Radius>${radiusDeg.toFixed(4)}</Error2Radius>`,
  );
  // The Citations name the sample's own alert: drop them (they would group unrelated events).
  x = x.replace(/<Citations>[\s\S]*?<\/Citations>/, '');
  return { name: `gbm-${trigId}.xml`, bytes: Buffer.from(x, 'utf8'), format: 'voevent', triggerMjd: mjd };
}

export function icecube(n: number, mjd: number, raDeg: number, decDeg: number): NightNotice {
  const runId = 140_000 + n;
  const eventId = 60_000_000 + n;
  const stamp = iso(mjd, 2);
  const { tjd, sod } = tjdSod(mjd);
  let x = readFileSync(ICECUBE, 'utf8');
  x = replaceOnce(
    x,
    /ICECUBE_GOLD_Event2023-10-04T14:39:41\.18_24_138415_056188508_0/,
    `ICECUBE_GOLD_Event${stamp}_24_${runId}_0${eventId}_0`,
  );
  x = replaceOnce(x, /name="AMON_ID" value="\d+"/, `name="AMON_ID" value="${runId}${eventId}"`);
  x = replaceOnce(x, /name="run_id" value="\d+"/, `name="run_id" value="${runId}"`);
  x = replaceOnce(x, /name="event_id" value="\d+"/, `name="event_id" value="${eventId}"`);
  x = replaceOnce(x, /name="Event_TJD" value="\d+"/, `name="Event_TJD" value="${tjd}"`);
  x = replaceOnce(x, /name="Event_SOD" value="[\d.]+"/, `name="Event_SOD" value="${sod}"`);
  x = replaceOnce(x, /<Date>[^<]+<\/Date>/, `<Date>${iso(mjd + 44 / 86_400, 0)}</Date>`);
  x = replaceOnce(x, /<ISOTime>[^<]+<\/ISOTime>/, `<ISOTime>${stamp}</ISOTime>`);
  x = replaceOnce(x, /<C1>[^<]+<\/C1>/, `<C1>${raDeg.toFixed(4)}</C1>`);
  x = replaceOnce(x, /<C2>[^<]+<\/C2>/, `<C2>${decDeg.toFixed(4)}</C2>`);
  return {
    name: `icecube-${runId}-${eventId}.xml`,
    bytes: Buffer.from(x, 'utf8'),
    format: 'voevent',
    triggerMjd: mjd,
  };
}

/** Superevent id letters: a … z, then aa, ab, … (as GraceDB numbers a day's superevents). */
function superEventLetters(n: number): string {
  return n < 26
    ? String.fromCharCode(97 + n)
    : superEventLetters(Math.floor(n / 26) - 1) + String.fromCharCode(97 + (n % 26));
}

/** The S230518h INITIAL alert moved to `mjd` (optionally another sky map and FAR, Hz). */
export function lvk(n: number, mjd: number, skymap: Buffer | undefined, farHz?: number): NightNotice {
  const doc = JSON.parse(readFileSync(LVK, 'utf8')) as {
    superevent_id: string;
    time_created: string;
    urls: { gracedb: string };
    event: { time: string; skymap: string; far: number };
  };
  const id = `S261207${superEventLetters(n)}`;
  if (farHz !== undefined) doc.event.far = farHz;
  doc.superevent_id = id;
  doc.urls.gracedb = `https://gracedb.ligo.org/superevents/${id}/view/`;
  doc.event.time = `${iso(mjd, 3)}Z`;
  doc.time_created = `${iso(mjd + 600 / 86_400, 0)}Z`;
  if (skymap) doc.event.skymap = skymap.toString('base64');
  return {
    name: `lvk-${id}.json`,
    bytes: Buffer.from(JSON.stringify(doc) + '\n'),
    format: 'igwn-json',
    triggerMjd: mjd,
  };
}

/**
 * The night's notices: 2 GW (real maps), `grbs` GBM circles (3–12°) and `neutrinos` IceCube
 * tracks, at seeded positions (uniform on the sky) and times around the night [t0, t0 + span].
 */
export function nightNotices(t0Mjd: number, spanDays: number, grbs = 4, neutrinos = 2): NightNotice[] {
  const random = seededRandom(2026);
  const position = (): { raDeg: number; decDeg: number } => ({
    raDeg: 360 * random(),
    decDeg: Math.asin(2 * random() - 1) / RAD_PER_DEG,
  });
  const out: NightNotice[] = [
    lvk(0, t0Mjd - 0.1, undefined),
    lvk(1, t0Mjd + 0.3 * spanDays, readFileSync(BAYESTAR)),
  ];
  for (let i = 0; i < grbs; i++) {
    const p = position();
    out.push(gbm(i, t0Mjd + (spanDays * (i + 0.5)) / (grbs + 1), p.raDeg, p.decDeg, 3 + 9 * random()));
  }
  for (let i = 0; i < neutrinos; i++) {
    const p = position();
    out.push(icecube(i, t0Mjd - 0.5 + (spanDays * i) / neutrinos, p.raDeg, p.decDeg));
  }
  return out;
}
