import { readFileSync } from 'node:fs';
import { OpticalAlertDecoder } from './src/optical/alert-decoder.ts';
const d = new OpticalAlertDecoder();
const files = ['/tmp/nc/compact/000010000-0.avro','/tmp/nc/compact/000010000-1.avro','/tmp/nc/compact/000010000-2.avro'];
for (const f of files) { const b = readFileSync(f); const t = performance.now(); const a = d.decodeMessageSync(b)!; console.log(f, b.length, a.length, a[0]?.survey, ((performance.now()-t)*1000/a.length).toFixed(1), 'us/alert'); }
for (const f of files) { const b = readFileSync(f); const t = performance.now(); const a = d.decodeMessageSync(b)!; console.log(f, b.length, a.length, a[0]?.survey, ((performance.now()-t)*1000/a.length).toFixed(1), 'us/alert'); }
const b = readFileSync(files[0]); const a = d.decodeMessageSync(b)!; console.log(JSON.stringify(a[0], (k,v)=> typeof v === 'bigint' ? v.toString() : v).slice(0, 1500));
