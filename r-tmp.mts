import { readFileSync } from 'node:fs';
import { OpticalAlertDecoder } from './src/optical/alert-decoder.ts';
const d = new OpticalAlertDecoder();
const b = readFileSync('/tmp/nc/compact/000010000-1.avro');
for (let i = 0; i < 6; i++) { const t = performance.now(); const a = d.decodeMessageSync(b)!; console.log(((performance.now()-t)*1000/a.length).toFixed(1), 'us/alert'); }
