/**
 * Generates the demo scenario in fixtures/demo/ (run: npx tsx scripts/demo/generate-demo.ts [outDir]).
 *
 * A GW170817-like event, written for this project (no upstream file is copied):
 *   - lvk-S170817dm-initial.json: an LVK Kafka (igwn.gwalert) INITIAL alert for a BNS at
 *     2017-08-17T12:41:04.446Z, FAR 3.96e-13 Hz, with an embedded multi-order sky map (a
 *     Gaussian of σ = 1.46°, 90 % area ≈ 31 deg², peaking 0.12° from NGC 4993), written by the
 *     sky layer's FITS writer;
 *   - fermi-gbm-524666471-gnd-pos.xml: a Fermi GBM ground-position VOEvent 1.74 s after the GW,
 *     at (176.8°, −39.8°) with an 11.6° (68 %) radius, like GRB 170817A;
 *   - optical-alerts.jsonl: OpticalAlert lines (as `coincide alerts` writes them): a seeded
 *     background of new transients (0.003 deg⁻² night⁻¹ over a 40° × 32° box, 9 nights before to
 *     5 nights after the merger, about half failing the quality cuts), known variables (0.1 deg⁻²
 *     night⁻¹ over the same box, first detected months earlier) and an AT2017gfo-like kilonova in
 *     NGC 4993 first detected 10.9 h after the merger.
 * The output is a pure function of this script (seeded PRNG): re-running it gives the same bytes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OpticalAlert } from '../../src/optical/optical-alert.ts';
import { angularDistanceDeg, RAD_PER_DEG } from '../../src/sky/angles.ts';
import { writeMultiOrderSkyMap } from '../../src/sky/fits-writer.ts';
import { pix2angNest, pixelAreaSr } from '../../src/sky/healpix.ts';
import { unixMsToMjd } from '../../src/time/mjd.ts';
import { seededRandom } from '../../src/seeded-random.ts';

export const DEMO_T0_ISO = '2017-08-17T12:41:04.446Z';
const T0_MJD = unixMsToMjd(Date.parse(DEMO_T0_ISO));
const NGC4993 = { raDeg: 197.450375, decDeg: -23.381483 };
const MAP_PEAK = { raDeg: 197.58, decDeg: -23.4 };
const SIGMA_DEG = 1.46;

/** Order-3 cells everywhere, refined to `fineOrder` (default 7) within 12° of the peak; Gaussian density (sr⁻¹). */
export function skyMapBytes(fineOrder = 7): Uint8Array {
  const orders: number[] = [];
  const ipix: number[] = [];
  const density: number[] = [];
  const sigmaRad = SIGMA_DEG * RAD_PER_DEG;
  const rho = (raDeg: number, decDeg: number): number => {
    const theta = angularDistanceDeg(MAP_PEAK.raDeg, MAP_PEAK.decDeg, raDeg, decDeg) * RAD_PER_DEG;
    return (
      Math.exp(-(theta * theta) / (2 * sigmaRad * sigmaRad)) / (2 * Math.PI * sigmaRad * sigmaRad) + 1e-6
    );
  };
  for (let p = 0; p < 768; p++) {
    const c = pix2angNest(3, p);
    if (angularDistanceDeg(MAP_PEAK.raDeg, MAP_PEAK.decDeg, c.raDeg, c.decDeg) < 12) {
      const children = 4 ** (fineOrder - 3);
      for (let q = p * children; q < (p + 1) * children; q++) {
        const f = pix2angNest(fineOrder, q);
        orders.push(fineOrder);
        ipix.push(q);
        density.push(rho(f.raDeg, f.decDeg));
      }
    } else {
      orders.push(3);
      ipix.push(p);
      density.push(rho(c.raDeg, c.decDeg));
    }
  }
  let total = 0;
  orders.forEach((o, i) => (total += (density[i] ?? 0) * pixelAreaSr(o)));
  return writeMultiOrderSkyMap(
    {
      orders: Uint8Array.from(orders),
      ipix: Float64Array.from(ipix),
      densityPerSr: Float64Array.from(density.map((d) => d / total)),
    },
    { OBJECT: 'S170817dm', INSTRUME: 'H1,L1,V1', CREATOR: 'coincide-demo' },
  );
}

function lvkNotice(): string {
  const created = new Date(Date.parse(DEMO_T0_ISO) + 27 * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
  return (
    JSON.stringify({
      alert_type: 'INITIAL',
      time_created: created,
      superevent_id: 'S170817dm',
      urls: { gracedb: 'https://gracedb.ligo.org/superevents/S170817dm/view/' },
      event: {
        significant: true,
        time: DEMO_T0_ISO,
        far: 3.96e-13,
        instruments: ['H1', 'L1', 'V1'],
        group: 'CBC',
        pipeline: 'gstlal',
        search: 'AllSky',
        properties: { HasNS: 1.0, HasRemnant: 1.0, HasMassGap: 0.0 },
        classification: { BNS: 0.99, NSBH: 0.0, BBH: 0.0, Terrestrial: 0.01 },
        duration: null,
        central_frequency: null,
        skymap: Buffer.from(skyMapBytes()).toString('base64'),
      },
      external_coinc: null,
    }) + '\n'
  );
}

export function gbmNotice(): string {
  const triggerMs = Date.parse(DEMO_T0_ISO) + 1740;
  const iso = new Date(triggerMs).toISOString().replace('Z', '');
  const tjd = Math.floor(unixMsToMjd(triggerMs)) - 40_000;
  const sod = ((triggerMs % 86_400_000) / 1000).toFixed(2);
  const issued = new Date(triggerMs + 40_000).toISOString().replace(/\.\d+Z$/, '');
  const ivorn = `ivo://nasa.gsfc.gcn/Fermi#GBM_Gnd_Pos_${iso.slice(0, 22)}_524666471_57-001`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ivorn="${ivorn}" role="observation" version="2.0" xsi:schemaLocation="http://www.ivoa.net/xml/VOEvent/v2.0 http://www.ivoa.net/xml/VOEvent/VOEvent-v2.0.xsd">
  <Who>
    <AuthorIVORN>ivo://nasa.gsfc.tan/gcn</AuthorIVORN>
    <Author><shortName>Fermi (via VO-GCN)</shortName></Author>
    <Date>${issued}</Date>
    <Description>Demo notice written by coincide's scripts/demo/generate-demo.ts.</Description>
  </Who>
  <What>
    <Param name="Packet_Type" value="112"/>
    <Param name="Pkt_Ser_Num" value="1"/>
    <Param name="TrigID" value="524666471" ucd="meta.id"/>
    <Param name="Sequence_Num" value="57" ucd="meta.id.part"/>
    <Param name="Burst_TJD" value="${tjd}" unit="days" ucd="time"/>
    <Param name="Burst_SOD" value="${sod}" unit="sec" ucd="time"/>
    <Param name="Burst_Signif" value="4.80" unit="sigma" ucd="stat.snr"/>
    <Param name="Data_Integ" value="0.256" unit="sec" ucd="time.interval"/>
    <Group name="Trigger_ID">
      <Param name="Def_NOT_a_GRB" value="false"/>
      <Param name="Test_Submission" value="false"/>
    </Group>
    <Description>The Fermi-GBM location of a transient.</Description>
  </What>
  <WhereWhen>
    <ObsDataLocation>
      <ObservatoryLocation id="GEOLUN"/>
      <ObservationLocation>
        <AstroCoordSystem id="UTC-FK5-GEO"/>
        <AstroCoords coord_system_id="UTC-FK5-GEO">
          <Time unit="s"><TimeInstant><ISOTime>${iso.slice(0, 22)}</ISOTime></TimeInstant></Time>
          <Position2D unit="deg">
            <Name1>RA</Name1><Name2>Dec</Name2>
            <Value2><C1>176.8000</C1><C2>-39.8000</C2></Value2>
            <Error2Radius>11.6000</Error2Radius>
          </Position2D>
        </AstroCoords>
      </ObservationLocation>
    </ObsDataLocation>
  </WhereWhen>
  <How><Description>Fermi Satellite, GBM Instrument</Description></How>
  <Why importance="0.95"><Inference probability="0.5"><Concept>process.variation.burst;em.gamma</Concept></Inference></Why>
</voe:VOEvent>
`;
}

/** The scenario's optical alerts, sorted by time (then alertId). */
export function demoOpticalAlerts(): OpticalAlert[] {
  const random = seededRandom(170_817);
  const alerts: OpticalAlert[] = [];
  let candid = 2_475_433_850_015_015_000n;
  const box = { ra0: 178, ra1: 218, dec0: -40, dec1: -8 };
  const sin0 = Math.sin(box.dec0 * RAD_PER_DEG);
  const sin1 = Math.sin(box.dec1 * RAD_PER_DEG);
  const areaDeg2 = (box.ra1 - box.ra0) * RAD_PER_DEG * (sin1 - sin0) * (180 / Math.PI) ** 2;
  const nights = 14;
  const count = Math.round(0.003 * areaDeg2 * nights);
  for (let i = 0; i < count; i++) {
    const t = T0_MJD - 9 + nights * random();
    const dec = Math.asin(sin0 + (sin1 - sin0) * random()) / RAD_PER_DEG;
    const reliability = Math.round((0.3 + 0.7 * random()) * 1000) / 1000;
    alerts.push({
      survey: 'ZTF',
      objectId: `ZTF17bg${i.toString(36).padStart(5, 'a')}`,
      alertId: String((candid += 7n)),
      raDeg: Math.round((box.ra0 + (box.ra1 - box.ra0) * random()) * 1e6) / 1e6,
      decDeg: Math.round(dec * 1e6) / 1e6,
      timeMjd: t,
      band: random() < 0.5 ? 'g' : 'r',
      magnitude: Math.round((18 + 2.5 * random()) * 100) / 100,
      magnitudeErr: 0.08,
      isPositive: random() > 0.1,
      firstDetectionMjd: t,
      reliability,
      solarSystem: random() < 0.05,
    });
  }
  // Known variables (first detected long ago: they pass the quality cuts but are not new), which
  // is most of a real alert stream; they also tell the rate estimator which cell-nights were observed.
  const vbox = box;
  const vsin0 = Math.sin(vbox.dec0 * RAD_PER_DEG);
  const vsin1 = Math.sin(vbox.dec1 * RAD_PER_DEG);
  const vArea = (vbox.ra1 - vbox.ra0) * RAD_PER_DEG * (vsin1 - vsin0) * (180 / Math.PI) ** 2;
  const variables = Math.round(0.1 * vArea * nights);
  for (let i = 0; i < variables; i++) {
    const t = T0_MJD - 9 + nights * random();
    const dec = Math.asin(vsin0 + (vsin1 - vsin0) * random()) / RAD_PER_DEG;
    alerts.push({
      survey: 'ZTF',
      objectId: `ZTF17va${i.toString(36).padStart(5, 'a')}`,
      alertId: String((candid += 7n)),
      raDeg: Math.round((vbox.ra0 + (vbox.ra1 - vbox.ra0) * random()) * 1e6) / 1e6,
      decDeg: Math.round(dec * 1e6) / 1e6,
      timeMjd: t,
      band: 'r',
      magnitude: Math.round((16 + 3 * random()) * 100) / 100,
      magnitudeErr: 0.05,
      isPositive: true,
      firstDetectionMjd: Math.round((t - 100 - 500 * random()) * 1e5) / 1e5,
      reliability: 0.9,
      solarSystem: false,
    });
  }
  // The kilonova: first detected 10.87 h after the merger, fading by ~0.6 mag/day.
  [0.4529, 1.4412, 2.4398].forEach((dt, k) => {
    alerts.push({
      survey: 'ZTF',
      objectId: 'ZTF17aagfokn',
      alertId: String(524_666_471_015_015_000n + BigInt(k)),
      raDeg: NGC4993.raDeg,
      decDeg: NGC4993.decDeg,
      timeMjd: T0_MJD + dt,
      band: 'r',
      magnitude: 17.3 + 0.62 * (dt - 0.4529),
      magnitudeErr: 0.03,
      isPositive: true,
      firstDetectionMjd: T0_MJD + 0.4529,
      reliability: 0.97,
      solarSystem: false,
      nPreviousDetections: k,
    });
  });
  alerts.sort((a, b) => a.timeMjd - b.timeMjd || (a.alertId < b.alertId ? -1 : 1));
  return alerts;
}

function opticalAlerts(): string {
  return (
    demoOpticalAlerts()
      .map((a) => JSON.stringify(a))
      .join('\n') + '\n'
  );
}

export function generateDemo(outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const files: Array<[string, string]> = [
    ['lvk-S170817dm-initial.json', lvkNotice()],
    ['fermi-gbm-524666471-gnd-pos.xml', gbmNotice()],
    ['optical-alerts.jsonl', opticalAlerts()],
  ];
  for (const [name, text] of files) writeFileSync(join(outDir, name), text);
  return files.map(([name]) => name);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outDir = process.argv[2] ?? fileURLToPath(new URL('../../fixtures/demo', import.meta.url));
  for (const name of generateDemo(outDir)) process.stdout.write(`wrote ${join(outDir, name)}\n`);
}
