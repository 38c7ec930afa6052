/**
 * MOC text (src/sky/moc-io.ts): ASCII MOCs ("order/cells ranges") and JSON MOCs, as read from
 * the command line and files. Property beyond "coded refusal": an accepted MOC written back in
 * the same form reads back as the same MOC.
 */
import fc from 'fast-check';
import { formatMocAscii, formatMocJson, parseMocAscii, parseMocJson } from '../../../src/sky/moc-io.ts';
import { BOUNDARY_NUMBERS, mutatedSeeds, showBytes } from '../mutate.ts';
import { countSeeds, madeSeed } from '../seeds.ts';
import { FuzzFinding, type FuzzTarget } from '../target.ts';

const made = [
  madeSeed('ascii', Buffer.from('3/1-5 12 4/100 101 29/3458764513820540927 s0/', 'utf8')),
  madeSeed('ascii depth', Buffer.from('0/0-11 8/', 'utf8')),
  madeSeed('json', Buffer.from('{"3":[1,2,3,4,5,12],"4":[100,101],"29":[3458764513820540927]}', 'utf8')),
  madeSeed('json empty', Buffer.from('{"10":[]}', 'utf8')),
];

const order = fc.oneof(
  fc.integer({ min: 0, max: 29 }).map(String),
  fc.constantFrom('30', '-1', '99999999999999999999', '', '1.5', '0x1'),
);
const cell = fc.oneof(
  fc.bigInt({ min: 0n, max: 12n << 58n }).map(String),
  fc.constantFrom(...BOUNDARY_NUMBERS),
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => `${a}-${b}`),
);
const ascii = fc
  .array(fc.tuple(order, fc.array(cell, { maxLength: 6 }), fc.constantFrom(' ', ',', '\n', '\t', '  ')), {
    maxLength: 6,
  })
  .chain((items) =>
    fc
      .constantFrom('', 's')
      .map((prefix) => `${prefix}${items.map(([o, cells, sep]) => `${o}/${cells.join(sep)}`).join(' ')}`),
  );
const json = fc.dictionary(order, fc.array(cell, { maxLength: 6 }), { maxKeys: 5 }).map(
  (d) =>
    `{${Object.entries(d)
      .map(([o, cells]) => `"${o}":[${cells.join(',')}]`)
      .join(',')}}`,
);

type MocCase = { form: 'ascii' | 'json'; text: string };

export const mocTextTarget: FuzzTarget<MocCase> = {
  name: 'moc-text',
  covers: 'src/sky/moc-io.ts (ASCII and JSON MOC)',
  setup() {
    const text =
      (form: MocCase['form']) =>
      (bytes: Uint8Array): MocCase => ({ form, text: Buffer.from(bytes).toString('utf8') });
    return Promise.resolve({
      arbitrary: fc.oneof(
        ascii.map((t): MocCase => ({ form: 'ascii', text: t })),
        json.map((t): MocCase => ({ form: 'json', text: t })),
        mutatedSeeds(made).map(text('ascii')),
        mutatedSeeds(made).map(text('json')),
        fc.jsonValue().map((v): MocCase => ({ form: 'json', text: JSON.stringify(v) })),
      ),
      run({ form, text }) {
        const moc = form === 'ascii' ? parseMocAscii(text) : parseMocJson(text);
        const again =
          form === 'ascii' ? parseMocAscii(formatMocAscii(moc)) : parseMocJson(formatMocJson(moc));
        if (formatMocAscii(again) !== formatMocAscii(moc)) {
          throw new FuzzFinding(
            `${form} MOC does not read back: ${formatMocAscii(moc).slice(0, 200)} vs ${formatMocAscii(again).slice(0, 200)}`,
          );
        }
      },
      show: ({ form, text }) => `${form}: ${showBytes(Buffer.from(text, 'utf8'))}`,
      seedCounts: countSeeds({ made }),
    });
  },
};
