/**
 * The events of a submission burst (the SIGTERM test and bench/warm-start.ts): Fermi GBM notices
 * of their own triggers (fixtures/notices/gbm-flt-pos.xml, renamed and moved: each its own
 * position and radius; all of the same trigger time, the worst case for a join that scans by
 * time), and every `tarpitEvery`-th an LVK update
 * of its own superevent whose sky-map URL points at a loopback tarpit (a server that accepts and
 * never answers). Also the tarpit.
 */
import { readFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { PROJECT_ROOT, samplePath } from '../helpers/shared.ts';

const GBM = readFileSync(join(PROJECT_ROOT, 'fixtures', 'notices', 'gbm-flt-pos.xml'), 'utf8');
const LVK_UPDATE = 'voevent/gw/S230518h-3-Update.xml';
const GRACEDB_URL = 'https://gracedb.ligo.org/api/superevents/S230518h/files/Bilby.multiorder.fits,0';

/** Flags that let serve fetch sky maps from the loopback tarpit. */
export const TARPIT_SKYMAP_FLAGS = [
  '--skymap-allowed-host',
  '127.0.0.1',
  '--skymap-allow-http',
  'true',
  '--skymap-allow-private-addresses',
  'true',
];

/** Event n (from 1): a GBM notice of its own trigger, or (every tarpitEvery-th) an LVK notice of its own superevent. */
export function burstEvent(
  n: number,
  tarpitPort: number,
  tarpitEvery: number,
): { ivorn: string; bytes: Buffer } {
  if (tarpitEvery > 0 && n % tarpitEvery === 0) {
    const id = `S99${String(n).padStart(5, '0')}a`;
    const text = readFileSync(samplePath(LVK_UPDATE), 'utf8')
      .replace(GRACEDB_URL, `http://127.0.0.1:${tarpitPort}/api/superevents/${id}/files/x.fits`)
      .replace(/S230518h/g, id);
    const ivorn = /ivorn="([^"]+)"/.exec(text)?.[1] ?? '';
    return { ivorn, bytes: Buffer.from(text, 'utf8') };
  }
  const trigId = String(810_000_000 + n);
  const ivorn = `ivo://nasa.gsfc.gcn/Fermi#GBM_Flt_Pos_2024-01-02T03:04:05.67_${trigId}_47-123`;
  // Each its own position and radius (as real notices: no two regions alike).
  const raDeg = ((n * 137.508) % 360).toFixed(4);
  const decDeg = (Math.asin(2 * ((n * 0.618034) % 1) - 1) * (180 / Math.PI)).toFixed(4);
  const radiusDeg = (1 + ((n * 7) % 1500) / 100).toFixed(4);
  const text = GBM.replace(/ivorn="[^"]+"/, `ivorn="${ivorn}"`)
    .replace(/name="TrigID" value="\d+"/, `name="TrigID" value="${trigId}"`)
    .replace(/<C1>[^<]+<\/C1>/, `<C1>${raDeg}</C1>`)
    .replace(/<C2>[^<]+<\/C2>/, `<C2>${decDeg}</C2>`)
    .replace(/<Error2Radius>[^<]+<\/Error2Radius>/, `<Error2Radius>${radiusDeg}</Error2Radius>`);
  return { ivorn, bytes: Buffer.from(text, 'utf8') };
}

/** Accepts connections and never answers; counts them. */
export async function tarpit(): Promise<{ port: number; connections: () => number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server = createNetServer((socket) => {
    count += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}
