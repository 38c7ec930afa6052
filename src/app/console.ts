/**
 * Assembly of the web console and the sky pictures: the route groups that app/http.ts mounts
 * next to the REST API. The console's script is bundled in the background at start-up.
 */
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import { consolePageRoutes } from '../http/routes/console-pages.ts';
import { consoleRecordRoutes } from '../http/routes/console-records.ts';
import { skyPictureRoutes } from '../http/routes/sky-pictures.ts';
import { withCompression } from '../http/compression.ts';
import type { RoutePlugin } from '../http/server.ts';
import { describeError } from '../errors.ts';
import type { Outbox } from '../sinks/outbox.ts';
import type { EventStore } from '../store/event-store.ts';
import { createConsoleAssets } from './console-bundle.ts';
import { createConsoleSky } from './console-sky.ts';
import type { SkyMapUrlPolicy } from '../sky/url-policy.ts';

export interface ConsoleOptions {
  outbox: Outbox;
  store: EventStore;
  logger: Logger;
  clock: Clock;
  /** The sky-map fetch settings of the join (config.skymap), with its cache folder. */
  skymap: { cacheDir: string; timeoutMs: number; maxBytes: number } & SkyMapUrlPolicy;
}

export function createConsoleRoutes(options: ConsoleOptions): RoutePlugin[] {
  const { store } = options;
  const assets = createConsoleAssets();
  assets().catch((error: unknown) => {
    options.logger.error('web console not bundled', { error: describeError(error) });
  });
  const sky = createConsoleSky({
    ...options.skymap,
    clock: options.clock,
    storedEventBytes: (ivorn) => store.eventsByIvorn(ivorn).map((e) => e.bytes),
  });
  return [
    // The console's script and records, compressed for browsers (its records are megabytes).
    withCompression(consolePageRoutes({ assets })),
    withCompression(consoleRecordRoutes({ outbox: options.outbox })),
    skyPictureRoutes({
      outbox: options.outbox,
      sky,
      noticesByTriggerId: (triggerId) => store.noticesByTriggerId(triggerId).map((n) => n.notice),
    }),
  ];
}
