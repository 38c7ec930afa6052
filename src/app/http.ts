/**
 * Assembly of the HTTP API: the fastify server (src/http/server.ts) with every route group.
 * To add routes, write a plugin factory under src/http/routes/ and add it to `routes` here.
 */
import type { FastifyInstance } from 'fastify';
import type { EventGroups } from '../archive/event-groups.ts';
import type { ArchiveSearch } from '../archive/search.ts';
import { eventGroupRoutes } from '../http/routes/event-groups.ts';
import type { TokenStore } from '../auth/tokens.ts';
import type { HealthRegistry } from '../http/health.ts';
import type { MetricsRegistry } from '../http/metrics.ts';
import { coincidenceRoutes } from '../http/routes/coincidences.ts';
import { eventRoutes } from '../http/routes/events.ts';
import { noticeRoutes } from '../http/routes/notices.ts';
import { serviceRoutes } from '../http/routes/service.ts';
import { createHttpServer, type RoutePlugin } from '../http/server.ts';
import type { Logger } from '../logger.ts';
import type { Outbox } from '../sinks/outbox.ts';
import type { EventStore } from '../store/event-store.ts';

export interface HttpApiOptions {
  outbox: Outbox;
  tokens: TokenStore;
  metrics: MetricsRegistry;
  health: HealthRegistry;
  logger: Logger;
  /** The event store behind /v1/events and the per-trigger notice history. */
  store: EventStore;
  /** The notice archive behind the search queries of /v1/notices (src/archive/). */
  archive?: ArchiveSearch;
  /** The event groups behind /v1/event-groups (src/archive/event-groups.ts). */
  eventGroups?: EventGroups;
  /** Further route groups (the web console and sky pictures, src/app/console.ts). */
  extraRoutes?: readonly RoutePlugin[];
}

export async function createHttpApi(options: HttpApiOptions): Promise<FastifyInstance> {
  const { outbox, store } = options;
  return createHttpServer({
    tokens: options.tokens,
    logger: options.logger,
    routes: [
      serviceRoutes({ health: options.health, metrics: options.metrics }),
      noticeRoutes({
        outbox,
        noticesByTriggerId: (triggerId) => store.noticesByTriggerId(triggerId).map((n) => n.notice),
        ...(options.archive ? { archive: options.archive } : {}),
      }),
      coincidenceRoutes({ outbox }),
      ...(options.eventGroups ? [eventGroupRoutes({ groups: options.eventGroups })] : []),
      eventRoutes({
        rawEventByIvorn: (ivorn) => store.eventsByIvorn(ivorn)[0]?.bytes,
        noticesByIvorn: (ivorn) => store.noticesByIvorn(ivorn).map((n) => n.notice),
      }),
      ...(options.extraRoutes ?? []),
    ],
  });
}
