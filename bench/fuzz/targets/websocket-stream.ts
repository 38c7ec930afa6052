/**
 * WebSocket subscribe messages and stream URLs (src/sinks/websocket.ts, websocket-filter.ts,
 * websocket-query.ts) against the real app's stream, one real `ws` connection per case: the
 * URL's query (since, filters), then one or two client messages (JSON subscribe messages with
 * generated and boundary filters, mutated ones, other JSON, non-JSON, binary frames), then a
 * valid subscribe as a probe.
 *
 * Outcomes: the probe's heartbeat arrives (accepted); the upgrade is refused with an HTTP error
 * whose JSON body has a code of src/errors.ts; or the server closes with 1008 (policy) or 1009
 * (message too big) and a reason that starts with such a code ("BAD_REQUEST: …"): those are
 * refusals, counted by code. A message over 1 MiB is closed by ws itself with 1009 and no
 * reason, before the service sees it: counted as WS_1009 (RFC 6455's own code). Any other
 * close, a reason without a code, or no answer within 10 s is a finding.
 */
import fc from 'fast-check';
import WebSocket from 'ws';
import { CoincideError, ERROR_CODES, type ErrorCode } from '../../../src/errors.ts';
import { sendEvent } from '../../../src/vtp/sender.ts';
import { startTestApp } from '../../../test/http/start-app.ts';
import { BOUNDARY_NUMBERS, mutatedSeeds } from '../mutate.ts';
import { madeSeed, projectSeeds } from '../seeds.ts';
import { FuzzFinding, FuzzRefusal, type FuzzTarget } from '../target.ts';

const ANSWER_TIMEOUT_MS = 10_000;

interface StreamCase {
  query: string;
  messages: Array<string | Uint8Array>;
}

const LIST_VALUES = [
  'notice',
  'coincidence',
  'withdrawn',
  'gw',
  'gamma',
  'neutrino',
  'optical',
  'LVK',
  'Fermi',
  'observation',
  'test',
  'gold',
  'silver',
  'bronze',
  'LVK_PRELIMINARY',
  '',
  'x',
  'NOTICE',
];
const FILTER_KEYS = [
  'types',
  'messengers',
  'observatories',
  'roles',
  'tiers',
  'noticeTypes',
  'maxPChance',
  'region',
  'since',
  'unknown',
  '__proto__',
];

const anyValue = fc.oneof(
  fc.constantFrom(...LIST_VALUES),
  fc.array(fc.constantFrom(...LIST_VALUES), { maxLength: 3 }),
  fc.constantFrom(...BOUNDARY_NUMBERS).map(Number),
  fc.double(),
  fc.record({ raDeg: fc.double(), decDeg: fc.double(), radiusDeg: fc.double() }),
  fc.record({
    raDeg: fc.constantFrom(0, 360, 197.45, -1),
    decDeg: fc.constantFrom(-90, 90, 0, 91),
    radiusDeg: fc.constantFrom(0, 10, 180, 180.1),
  }),
  fc.jsonValue({ maxDepth: 2 }),
);

const filters = fc.dictionary(fc.constantFrom(...FILTER_KEYS), anyValue, { maxKeys: 4 });

const subscribe = fc
  .record({
    type: fc.oneof(
      { weight: 8, arbitrary: fc.constant('subscribe') },
      { weight: 1, arbitrary: fc.constantFrom('SUBSCRIBE', 'unsubscribe', '', 1) },
    ),
    since: fc.option(fc.oneof(fc.nat({ max: 5 }), fc.constantFrom(-1, 0.5, 1e21, 2 ** 53, '1', null)), {
      freq: 3,
    }),
    filters: fc.option(
      fc.oneof({ weight: 5, arbitrary: filters }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }),
      { freq: 4 },
    ),
  })
  .map(({ type, since, filters: f }) => {
    const message: Record<string, unknown> = { type };
    if (since !== null) message.since = since;
    if (f !== null) message.filters = f;
    return JSON.stringify(message);
  });

const QUERY_KEYS = [
  'since',
  'type',
  'types',
  'messenger',
  'observatory',
  'role',
  'tier',
  'tiers',
  'noticeType',
  'maxPChance',
  'region',
  'token',
  'x',
  '',
];
const QUERY_VALUES = [
  ...LIST_VALUES,
  ...BOUNDARY_NUMBERS,
  '197.45,-23.38,10',
  '0,0,0',
  '1,2',
  'gw,gamma',
  '%zz',
  '%',
  ',,',
  '',
];
const query = fc
  .array(fc.tuple(fc.constantFrom(...QUERY_KEYS), fc.constantFrom(...QUERY_VALUES)), { maxLength: 3 })
  .map((pairs) =>
    pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${k}=${v.replace(/ /g, '%20')}`).join('&')}`,
  );

const seeds = [
  madeSeed('subscribe', Buffer.from('{"type":"subscribe"}')),
  madeSeed('subscribe since', Buffer.from('{"type":"subscribe","since":0}')),
  madeSeed(
    'subscribe filters',
    Buffer.from(
      '{"type":"subscribe","since":1,"filters":{"types":["coincidence","withdrawn"],"messengers":["gw","gamma"],"tiers":["gold"],"maxPChance":0.01,"region":{"raDeg":197.45,"decDeg":-23.38,"radiusDeg":10}}}',
    ),
  ),
];

const streamCase: fc.Arbitrary<StreamCase> = fc.record({
  query: fc.oneof({ weight: 3, arbitrary: fc.constant('') }, { weight: 1, arbitrary: query }),
  messages: fc.array(
    fc.oneof(
      { weight: 6, arbitrary: subscribe },
      { weight: 3, arbitrary: mutatedSeeds(seeds).map((b) => Buffer.from(b).toString('utf8')) },
      { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
      { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 32 }) },
    ),
    { minLength: 1, maxLength: 2 },
  ),
});

function refusalCode(reason: string): ErrorCode | undefined {
  const code = /^([A-Z_]+):/.exec(reason)?.[1];
  return code !== undefined && code in ERROR_CODES ? (code as ErrorCode) : undefined;
}

export const websocketStreamTarget: FuzzTarget<StreamCase> = {
  name: 'websocket-stream',
  covers: 'src/sinks/websocket.ts, websocket-filter.ts, websocket-query.ts (real ws connections to the app)',
  async setup() {
    const app = await startTestApp();
    for (const event of projectSeeds('fixtures/demo', ['.xml']).concat(
      projectSeeds('fixtures/voevent', ['minimal-2.0.xml']),
    )) {
      await sendEvent({ host: '127.0.0.1', port: app.ports.vtpReceiver, bytes: Buffer.from(event.bytes) });
    }
    return {
      arbitrary: streamCase,
      run: (c) =>
        new Promise<void>((resolve, reject) => {
          const ws = new WebSocket(`${app.wsUrl}${c.query}`, {
            headers: { Authorization: `Bearer ${app.token}` },
          });
          let heartbeats = 0;
          let sent = false;
          const done = (error?: Error): void => {
            clearTimeout(timer);
            ws.removeAllListeners();
            ws.on('error', () => undefined);
            ws.terminate();
            if (error) reject(error);
            else resolve();
          };
          const timer = setTimeout(() => {
            done(new FuzzFinding(`no heartbeat and no close within ${ANSWER_TIMEOUT_MS} ms`));
          }, ANSWER_TIMEOUT_MS);
          ws.on('unexpected-response', (_request, response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              let code: unknown;
              try {
                code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
              } catch {
                code = undefined;
              }
              if (typeof code === 'string' && code in ERROR_CODES)
                done(new CoincideError(code as ErrorCode, `upgrade refused with ${response.statusCode}`));
              else
                done(
                  new FuzzFinding(
                    `upgrade refused with ${response.statusCode} without a known code: ${text.slice(0, 200)}`,
                  ),
                );
            });
          });
          ws.on('error', (error) => {
            done(new FuzzFinding(`client error: ${error.message}`));
          });
          ws.on('message', (data: Buffer) => {
            const text = data.toString('utf8');
            if (!text.startsWith('{"type":"heartbeat"')) return;
            heartbeats += 1;
            if (!sent) {
              // The stream has started (from the URL): now the messages, then the probe.
              sent = true;
              for (const message of c.messages) ws.send(message, { binary: typeof message !== 'string' });
              ws.send('{"type":"subscribe"}');
            } else {
              done();
            }
          });
          ws.on('close', (code, reasonBytes) => {
            const reason = reasonBytes.toString('utf8');
            const known = refusalCode(reason);
            if ((code === 1008 || code === 1009) && known !== undefined)
              done(new CoincideError(known, reason));
            else if (code === 1009 && reason === '') done(new FuzzRefusal('WS_1009'));
            else done(new FuzzFinding(`closed with ${code} "${reason}" after ${heartbeats} heartbeat(s)`));
          });
        }),
      show: (c) =>
        JSON.stringify({
          query: c.query,
          messages: c.messages.map((m) =>
            typeof m === 'string' ? m : `base64:${Buffer.from(m).toString('base64')}`,
          ),
        }),
      seedCounts: { made: seeds.length },
      close: () => app.stop(),
    };
  },
};
