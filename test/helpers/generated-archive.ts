/**
 * A generated notice archive for the archive's tests and benchmark: seeded, reproducible
 * notices of every messenger and region kind (circles from arcseconds to 15°, ellipses, sky maps,
 * none), written straight into the events and notices tables.
 *
 * Sky maps: a Gaussian blob (σ 3–20°) on the 3 072 cells of order 4, built by `syntheticSkyMap`
 * from the centre and width encoded in the region's reference, so the same map comes back for
 * the same notice.
 */
import { createHash } from 'node:crypto';
import type { Notice, NoticeRegion } from '../../src/notices/notice.ts';
import { raDecToVector } from '../../src/sky/angles.ts';
import { pix2angNest } from '../../src/sky/healpix.ts';
import { SkyMap } from '../../src/sky/skymap.ts';
import type { SqliteDatabase } from '../../src/store/database.ts';
import { mjdToIso } from '../../src/time/mjd.ts';
import { seededRandom } from '../join/make-records.ts';

export { seededRandom };

const KINDS = [
  { messenger: 'gamma', observatory: 'Fermi', instrument: 'GBM', noticeType: 'Fermi_GBM_Gnd_Pos' },
  { messenger: 'gamma', observatory: 'Swift', instrument: 'BAT', noticeType: 'Swift_BAT_GRB_Pos' },
  { messenger: 'xray', observatory: 'EinsteinProbe', instrument: 'WXT', noticeType: 'EP_WXT_Alert' },
  { messenger: 'neutrino', observatory: 'IceCube', instrument: 'IceCube', noticeType: 'IceCube_Gold' },
  { messenger: 'gw', observatory: 'LVK', instrument: 'LVK', noticeType: 'LVK_PRELIMINARY' },
  { messenger: 'gamma', observatory: 'SVOM', instrument: 'ECLAIRs', noticeType: 'SVOM_ECLAIRs_Alert' },
] as const;

/** The reference of a synthetic sky map: its centre and width. */
function skymapUrl(raDeg: number, decDeg: number, sigmaDeg: number): string {
  return `https://synthetic.invalid/${raDeg.toFixed(4)}/${decDeg.toFixed(4)}/${sigmaDeg.toFixed(3)}/bayestar.fits`;
}

const ORDER = 4;
const CELLS = 12 * 4 ** ORDER;

/** The Gaussian sky map a synthetic reference describes. */
export function syntheticSkyMap(url: string): SkyMap {
  const m = /synthetic\.invalid\/([-\d.]+)\/([-\d.]+)\/([\d.]+)\//.exec(url);
  if (!m) throw new Error(`not a synthetic sky map: ${url}`);
  const [ra, dec, sigma] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const c = raDecToVector(ra, dec);
  const s = (sigma * Math.PI) / 180;
  const orders = new Uint8Array(CELLS).fill(ORDER);
  const ipix = new Float64Array(CELLS);
  const density = new Float64Array(CELLS);
  const area = (4 * Math.PI) / CELLS;
  let total = 0;
  for (let i = 0; i < CELLS; i++) {
    ipix[i] = i;
    const p = pix2angNest(ORDER, i);
    const v = raDecToVector(p.raDeg, p.decDeg);
    const cos = Math.min(1, c[0] * v[0] + c[1] * v[1] + c[2] * v[2]);
    const theta = Math.acos(cos);
    density[i] = Math.exp(-(theta * theta) / (2 * s * s)) + 1e-12;
    total += (density[i] as number) * area;
  }
  for (let i = 0; i < CELLS; i++) density[i] = (density[i] as number) / total;
  return new SkyMap({ orders, ipix, densityPerSr: density });
}

export function generateNotice(i: number, random: () => number): Notice {
  const kind = KINDS[Math.floor(random() * KINDS.length)] ?? KINDS[0];
  const ra = random() * 360;
  const dec = (Math.asin(2 * random() - 1) * 180) / Math.PI;
  const triggerTimeMjd = 60000 + random() * 365;
  let region: NoticeRegion;
  const pick = random();
  if (kind.messenger === 'gw') {
    region = pick < 0.9 ? { type: 'skymap', url: skymapUrl(ra, dec, 3 + random() * 17) } : { type: 'none' };
  } else if (pick < 0.05) region = { type: 'none' };
  else if (pick < 0.2)
    region = {
      type: 'ellipse',
      raDeg: ra,
      decDeg: dec,
      semiMajorDeg: 0.5 + random() * 5,
      semiMinorDeg: 0.2 + random() * 0.3,
      posAngleDeg: random() * 180,
      containment: 0.9,
    };
  else {
    const radiusDeg = kind.observatory === 'Fermi' ? 1 + random() * 14 : 10 ** (-3 + random() * 3);
    region = {
      type: 'circle',
      raDeg: ra,
      decDeg: dec,
      radiusDeg,
      containment: 0.9,
      systematicIncluded: true,
    };
  }
  const trigger = Math.floor(i / 3);
  const alertType = i % 3 === 0 ? 'preliminary' : random() < 0.1 ? 'retraction' : 'update';
  const eventName =
    kind.messenger === 'gw'
      ? `S${String(230000 + trigger).padStart(6, '0')}${'abcdefgh'[trigger % 8] ?? 'a'}`
      : random() < 0.5
        ? `GRB ${String(250000 + trigger)}A`
        : undefined;
  const sha = createHash('sha256').update(`generated-${i}`).digest('hex');
  return {
    ivorn: `ivo://generated.test/${kind.observatory}#${i}`,
    role: random() < 0.9 ? 'observation' : 'test',
    messenger: kind.messenger,
    observatory: kind.observatory,
    instrument: kind.instrument,
    noticeType: kind.noticeType,
    triggerId: `${kind.observatory}:${trigger}`,
    ...(eventName === undefined ? {} : { eventName }),
    alertType,
    revision: i % 3,
    triggerTime: mjdToIso(triggerTimeMjd),
    triggerTimeMjd,
    region,
    ...(random() < 0.7 ? { farHz: 10 ** (-12 + random() * 10) } : {}),
    ...(kind.messenger === 'gw' ? { pAstro: random() } : {}),
    params: {},
    citations: [],
    source: { format: 'voevent', sha256: sha },
  };
}

/** Writes `count` generated notices (events + notices rows, one transaction); returns them in id order. */
export function writeGeneratedArchive(db: SqliteDatabase, count: number, seed = 1): Notice[] {
  const random = seededRandom(seed);
  const insertEvent = db.prepare(
    `INSERT INTO events (sha256, ivorn, role, bytes, received_at_ms, peer, input) VALUES (?, ?, ?, ?, ?, 'generated', 'test')`,
  );
  const insertNotice = db.prepare(
    `INSERT INTO notices (event_id, ivorn, trigger_id, revision, notice_type, received_at_ms, json) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const notices: Notice[] = [];
  const start = Number(db.prepare('SELECT count(*) FROM notices').pluck().get());
  db.transaction(() => {
    for (let k = 0; k < count; k++) {
      const i = start + k;
      const notice = generateNotice(i, random);
      const receivedMs = Date.parse(notice.triggerTime) + Math.floor(random() * 600_000);
      const bytes = Buffer.from(`<voe:VOEvent ivorn="${notice.ivorn}"/>`);
      const eventId = Number(
        insertEvent.run(notice.source.sha256, notice.ivorn, notice.role, bytes, receivedMs).lastInsertRowid,
      );
      insertNotice.run(
        eventId,
        notice.ivorn,
        notice.triggerId,
        notice.revision ?? null,
        notice.noticeType,
        receivedMs,
        JSON.stringify(notice),
      );
      notices.push(notice);
    }
  })();
  return notices;
}

/** The sky-map source of the generated archive. */
export const generatedSkyMaps = (notice: Notice): Promise<SkyMap> =>
  notice.region.type === 'skymap'
    ? Promise.resolve(syntheticSkyMap(notice.region.url))
    : Promise.reject(new Error('no sky map'));
