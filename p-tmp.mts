import { loadRecords, sortRecords, feedRecord } from './src/replay/replay.ts';
import { createJoinEngine } from './src/join/engine.ts';
let t = performance.now();
const loaded = await loadRecords(['/tmp/nc/compact', '/tmp/nc/notices'], { credibleLevel: 0.9, threads: Number(process.argv[2] ?? 2) });
console.log('load', (performance.now() - t).toFixed(0), loaded.records.length); t = performance.now();
const recs = sortRecords(loaded.records);
console.log('sort', (performance.now() - t).toFixed(0)); t = performance.now();
const engine = createJoinEngine();
let n = 0; let bytes = 0;
for (const r of recs) for (const c of feedRecord(engine, r)) { n++; bytes += JSON.stringify(c).length; }
console.log('join', (performance.now() - t).toFixed(0), n);
