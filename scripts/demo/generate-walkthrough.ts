/**
 * Generates the README's live walkthrough in fixtures/walkthrough/ (run:
 * npx tsx scripts/demo/generate-walkthrough.ts [outDir]). The same GW170817-like scenario as
 * fixtures/demo (scripts/demo/generate-demo.ts), in the formats a running service takes:
 *   - lvk-S170817dm-1-Initial.xml: the LVK alert as a VOEvent 2.0 (what `coincide send` submits
 *     over VTP), its sky map embedded as a `data:application/fits;base64,…` URI in
 *     G{GW_SKYMAP}/skymap_fits, so the service loads it without any network (the demo's
 *     Gaussian map, refined to order 6 instead of 7 so the event stays well under the 100 kB
 *     VTP event limit);
 *   - fermi-gbm-524666471-gnd-pos.xml: the demo's Fermi GBM ground position, byte for byte;
 *   - optical/ztf-YYYYMMDD.avro: the demo's ZTF alerts up to 1.5 days after the merger (the
 *     kilonova's first two detections and the background), one Avro object container file per
 *     night, written with avsc in a subset of the ZTF alert schema (ztf.alert: objectId,
 *     candid, and the candidate fields coincide reads; no cutouts or prv_candidates). Only the
 *     first 1.5 days: the service reads the folder at start-up, before the notices arrive,
 *     and alerts later than 3 days after the GRB would close its windows (event time) first.
 * The output is a pure function of this script: re-running it gives the same bytes (fixed sync marker).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import type { OpticalAlert } from '../../src/optical/optical-alert.ts';
import { exactLongOptions } from '../../src/optical/avro-long.ts';
import { JD_MINUS_MJD } from '../../src/optical/ztf-alert.ts';
import { unixMsToMjd } from '../../src/time/mjd.ts';
import { encodeContainer } from '../../test/optical/avro-fixtures.ts';
import { DEMO_T0_ISO, demoOpticalAlerts, gbmNotice, skyMapBytes } from './generate-demo.ts';

const T0_MS = Date.parse(DEMO_T0_ISO);
/** Alerts up to this long after the merger go into the walkthrough, days. */
export const WALKTHROUGH_OPTICAL_DAYS = 1.5;

function lvkVoEvent(): string {
  const created = new Date(T0_MS + 27 * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const map = Buffer.from(skyMapBytes(6)).toString('base64');
  const param = (name: string, value: string | number, extra = ''): string =>
    `    <Param name="${name}" value="${value}"${extra}/>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ivorn="ivo://gwnet/LVC#S170817dm-1-Initial" role="observation" version="2.0" xsi:schemaLocation="http://www.ivoa.net/xml/VOEvent/v2.0 http://www.ivoa.net/xml/VOEvent/VOEvent-v2.0.xsd">
  <Who>
    <Date>${created}</Date>
    <Author><contactName>Demo notice written by coincide's scripts/demo/generate-walkthrough.ts</contactName></Author>
  </Who>
  <What>
${[
  param('Packet_Type', 151, ' dataType="int"'),
  param('internal', 0, ' dataType="int"'),
  param('Pkt_Ser_Num', 1, ' dataType="int"'),
  param('GraceID', 'S170817dm', ' dataType="string" ucd="meta.id"'),
  param('AlertType', 'Initial', ' dataType="string" ucd="meta.version"'),
  param('HardwareInj', 0, ' dataType="int" ucd="meta.number"'),
  param('OpenAlert', 1, ' dataType="int" ucd="meta.number"'),
  param(
    'EventPage',
    'https://gracedb.ligo.org/superevents/S170817dm/view/',
    ' dataType="string" ucd="meta.ref.url"',
  ),
  param('Instruments', 'H1,L1,V1', ' dataType="string" ucd="meta.code"'),
  param('FAR', '3.96e-13', ' dataType="float" ucd="arith.rate;stat.falsealarm" unit="Hz"'),
  param('Significant', 1, ' dataType="int" ucd="meta.number"'),
  param('Group', 'CBC', ' dataType="string" ucd="meta.code"'),
  param('Pipeline', 'gstlal', ' dataType="string" ucd="meta.code"'),
  param('Search', 'AllSky', ' dataType="string" ucd="meta.code"'),
].join('\n')}
    <Group name="GW_SKYMAP" type="GW_SKYMAP">
      <Param name="skymap_fits" dataType="string" ucd="meta.ref.url" value="data:application/fits;base64,${map}"/>
    </Group>
    <Group name="Classification" type="Classification">
  ${param('BNS', 0.99, ' dataType="float" ucd="stat.probability"')}
  ${param('NSBH', 0, ' dataType="float" ucd="stat.probability"')}
  ${param('BBH', 0, ' dataType="float" ucd="stat.probability"')}
  ${param('Terrestrial', 0.01, ' dataType="float" ucd="stat.probability"')}
    </Group>
    <Group name="Properties" type="Properties">
  ${param('HasNS', 1, ' dataType="float" ucd="stat.probability"')}
  ${param('HasRemnant', 1, ' dataType="float" ucd="stat.probability"')}
  ${param('HasMassGap', 0, ' dataType="float" ucd="stat.probability"')}
    </Group>
  </What>
  <WhereWhen>
    <ObsDataLocation>
      <ObservatoryLocation id="LIGO Virgo"/>
      <ObservationLocation>
        <AstroCoordSystem id="UTC-FK5-GEO"/>
        <AstroCoords coord_system_id="UTC-FK5-GEO">
          <Time unit="s"><TimeInstant><ISOTime>${DEMO_T0_ISO}</ISOTime></TimeInstant></Time>
        </AstroCoords>
      </ObservationLocation>
    </ObsDataLocation>
  </WhereWhen>
  <How><Description>Candidate gravitational wave event identified by low-latency analysis</Description></How>
  <Description>Report of a candidate gravitational wave event (coincide demo)</Description>
</voe:VOEvent>
`;
}

/** The part of the ZTF alert schema (ztf.alert 4.02, candidate.avsc) that coincide reads, with its types. */
export const ZTF_SUBSET_SCHEMA = {
  type: 'record',
  name: 'alert',
  namespace: 'ztf',
  doc: 'A subset of the ZTF avro alert schema (no cutouts, prv_candidates or fp_hists), written by coincide',
  fields: [
    { name: 'schemavsn', type: 'string' },
    { name: 'publisher', type: 'string' },
    { name: 'objectId', type: 'string' },
    { name: 'candid', type: 'long' },
    {
      name: 'candidate',
      type: {
        type: 'record',
        name: 'candidate',
        namespace: 'ztf.alert',
        fields: [
          { name: 'jd', type: 'double' },
          { name: 'fid', type: 'int' },
          { name: 'candid', type: 'long' },
          { name: 'isdiffpos', type: 'string' },
          { name: 'ra', type: 'double' },
          { name: 'dec', type: 'double' },
          { name: 'magpsf', type: 'float' },
          { name: 'sigmapsf', type: 'float' },
          { name: 'rb', type: ['null', 'float'], default: null },
          { name: 'drb', type: ['null', 'float'], default: null },
          { name: 'ssdistnr', type: ['null', 'float'], default: null },
          { name: 'ssmagnr', type: ['null', 'float'], default: null },
          { name: 'ssnamenr', type: ['null', 'string'], default: null },
          { name: 'ndethist', type: 'int' },
          { name: 'jdstarthist', type: ['null', 'double'], default: null },
        ],
      },
    },
  ],
} as const;

const FID: Readonly<Record<string, number>> = { g: 1, r: 2, i: 3 };

/** An OpticalAlert as the ZTF packet it was read from would say it. */
function ztfRecord(alert: OpticalAlert): Record<string, unknown> {
  const candid = BigInt(alert.alertId);
  return {
    schemavsn: '4.02',
    publisher: 'coincide demo',
    objectId: alert.objectId,
    candid,
    candidate: {
      jd: alert.timeMjd + JD_MINUS_MJD,
      fid: FID[alert.band] ?? 2,
      candid,
      isdiffpos: alert.isPositive ? 't' : 'f',
      ra: alert.raDeg,
      dec: alert.decDeg,
      magpsf: alert.magnitude,
      sigmapsf: alert.magnitudeErr,
      rb: alert.reliability ?? null,
      drb: alert.reliability ?? null,
      // A known asteroid 1.2" away (with its magnitude) is how ZTF flags a solar-system object.
      ssdistnr: alert.solarSystem ? 1.2 : -999,
      ssmagnr: alert.solarSystem ? 19.5 : -999,
      ssnamenr: alert.solarSystem ? '12345' : 'null',
      ndethist: alert.nPreviousDetections ?? 0,
      jdstarthist: alert.firstDetectionMjd + JD_MINUS_MJD,
    },
  };
}

export async function generateWalkthrough(outDir: string): Promise<string[]> {
  const opticalDir = join(outDir, 'optical');
  rmSync(opticalDir, { recursive: true, force: true });
  mkdirSync(opticalDir, { recursive: true });
  const files: Array<[string, string | Buffer]> = [
    ['lvk-S170817dm-1-Initial.xml', lvkVoEvent()],
    ['fermi-gbm-524666471-gnd-pos.xml', gbmNotice()],
  ];
  // 64-bit candids exactly (avsc's default long is a JavaScript number).
  const type = avro.Type.forSchema(ZTF_SUBSET_SCHEMA as unknown as avro.Schema, exactLongOptions());
  const untilMjd = unixMsToMjd(T0_MS) + WALKTHROUGH_OPTICAL_DAYS;
  const byNight = new Map<string, OpticalAlert[]>();
  for (const alert of demoOpticalAlerts()) {
    if (alert.timeMjd > untilMjd) continue;
    // The UTC date of the (ZTF, Palomar) night: the evening's date.
    const night = new Date((alert.timeMjd - 40_587 - 0.5) * 86_400_000).toISOString().slice(0, 10);
    let list = byNight.get(night);
    if (!list) byNight.set(night, (list = []));
    list.push(alert);
  }
  for (const [night, alerts] of [...byNight].sort(([a], [b]) => (a < b ? -1 : 1))) {
    files.push([
      join('optical', `ztf-${night.replaceAll('-', '')}.avro`),
      await encodeContainer(type, alerts.map(ztfRecord), { syncMarker: Buffer.alloc(16, 0x5a) }),
    ]);
  }
  for (const [name, content] of files) writeFileSync(join(outDir, name), content);
  return files.map(([name]) => name);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outDir = process.argv[2] ?? fileURLToPath(new URL('../../fixtures/walkthrough', import.meta.url));
  mkdirSync(outDir, { recursive: true });
  for (const name of await generateWalkthrough(outDir)) process.stdout.write(`wrote ${join(outDir, name)}\n`);
}
