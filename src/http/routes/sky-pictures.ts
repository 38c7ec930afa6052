/**
 * Sky pictures and shapes of notices and coincidences (src/app/console-sky.ts draws them):
 *
 *   GET /v1/notices/{triggerId}/skymap.svg          the latest version's region, whatever its kind
 *   GET /v1/notices/{triggerId}/sky.json            the same as shapes for the console: circle or
 *                                                   ellipse polygon, 50/90 % contours, areas, distance
 *   GET /v1/notices/{triggerId}/coincidences/{id}/skymap.svg
 *                                                   the trigger's region with the counterpart marked
 */
import { canSeeCoincidence, canSeeNotice, seesEverything } from '../../auth/access.ts';
import type { TokenInfo } from '../../auth/tokens.ts';
import type { ConsoleSky } from '../../app/console-sky.ts';
import { CoincideError } from '../../errors.ts';
import type { Coincidence, OpticalSummary, TriggerSummary } from '../../join/coincidence.ts';
import type { Notice } from '../../notices/notice.ts';
import type { SkyMark, SkyShape } from '../../plot/sky-svg.ts';
import { circlePolygon, ellipsePolygon } from '../../plot/region-shapes.ts';
import type { Outbox } from '../../sinks/outbox.ts';
import type { RoutePlugin } from '../server.ts';
import { errorResponse, tokenQuery } from './schemas.ts';

export interface SkyPictureRoutesOptions {
  outbox: Outbox;
  sky: ConsoleSky;
  noticesByTriggerId: (triggerId: string) => Notice[];
}

const triggerParam = {
  triggerId: { type: 'string', minLength: 1, maxLength: 512, description: 'e.g. LVK:S170817dm' },
} as const;
const tokenOnly = { type: 'object', additionalProperties: false, properties: { ...tokenQuery } } as const;
const svgResponse = {
  description: 'An SVG picture (astro-hours Mollweide).',
  content: { 'image/svg+xml': { schema: { type: 'string' } } },
} as const;

function isOptical(side: OpticalSummary | TriggerSummary): side is OpticalSummary {
  return 'survey' in side;
}

function regionShape(notice: Notice): SkyShape | undefined {
  const r = notice.region;
  if (r.type === 'circle')
    return { geometry: circlePolygon(r.raDeg, r.decDeg, r.radiusDeg), label: notice.triggerId };
  if (r.type === 'ellipse') {
    return {
      geometry: ellipsePolygon(r.raDeg, r.decDeg, r.semiMajorDeg, r.semiMinorDeg, r.posAngleDeg),
      label: notice.triggerId,
    };
  }
  return undefined;
}

export function skyPictureRoutes(options: SkyPictureRoutesOptions): RoutePlugin {
  const latestVisible = (access: TokenInfo | undefined, triggerId: string): Notice => {
    if (access === undefined) throw new CoincideError('AUTH_REQUIRED', 'a valid bearer token is required');
    const all = options.noticesByTriggerId(triggerId);
    const visible = seesEverything(access) ? all : all.filter((n) => canSeeNotice(access.limits, n));
    const latest = visible.at(-1);
    if (!latest) throw new CoincideError('NOT_FOUND', `no notice for trigger ${triggerId}`);
    return latest;
  };

  return (app) => {
    app.get<{ Params: { triggerId: string } }>(
      '/v1/notices/:triggerId/skymap.svg',
      {
        config: { scope: 'notices' },
        schema: {
          summary: "A picture of the trigger's latest region (sky map, circle or ellipse)",
          params: { type: 'object', properties: triggerParam, required: ['triggerId'] },
          querystring: tokenOnly,
          response: { 200: svgResponse, 404: errorResponse('No such trigger.') },
        },
      },
      async (request, reply) => {
        const notice = latestVisible(request.access, request.params.triggerId);
        const svg = await options.sky.svgOf(notice);
        return reply.type('image/svg+xml; charset=utf-8').header('Cache-Control', 'no-store').send(svg);
      },
    );

    app.get<{ Params: { triggerId: string } }>(
      '/v1/notices/:triggerId/sky.json',
      {
        config: { scope: 'notices' },
        schema: {
          summary: "The trigger's latest region as GeoJSON shapes, with its credible areas and distance",
          params: { type: 'object', properties: triggerParam, required: ['triggerId'] },
          querystring: tokenOnly,
          response: { 404: errorResponse('No such trigger.') },
        },
      },
      async (request, reply) => {
        const notice = latestVisible(request.access, request.params.triggerId);
        const sky = await options.sky.regionOf(notice);
        return reply
          .type('application/json; charset=utf-8')
          .header('Cache-Control', 'no-store')
          .send(JSON.stringify({ triggerId: notice.triggerId, ivorn: notice.ivorn, ...sky }));
      },
    );

    app.get<{ Params: { triggerId: string; coincidenceId: string } }>(
      '/v1/notices/:triggerId/coincidences/:coincidenceId/skymap.svg',
      {
        config: { scope: 'coincidences' },
        schema: {
          summary: "A picture of a coincidence: the trigger's region with its counterpart marked",
          params: {
            type: 'object',
            properties: { ...triggerParam, coincidenceId: { type: 'string', minLength: 1, maxLength: 512 } },
            required: ['triggerId', 'coincidenceId'],
          },
          querystring: tokenOnly,
          response: { 200: svgResponse, 404: errorResponse('No such coincidence.') },
        },
      },
      async (request, reply) => {
        const { triggerId, coincidenceId } = request.params;
        const access = request.access;
        const notice = latestVisible(access, triggerId);
        let coincidence: Coincidence | undefined;
        for (const record of options.outbox.query({
          types: ['coincidence', 'withdrawn'],
          triggerId,
          limit: 10_000,
        })) {
          const c = JSON.parse(record.json) as Coincidence;
          if (c.id === coincidenceId) coincidence = c; // the latest record of the pair
        }
        if (
          !coincidence ||
          (access && !seesEverything(access) && !canSeeCoincidence(access.limits, coincidence))
        ) {
          throw new CoincideError('NOT_FOUND', `no coincidence ${coincidenceId} of trigger ${triggerId}`);
        }
        const other = coincidence.counterpart;
        const marks: SkyMark[] = [];
        const shapes: SkyShape[] = [];
        // The other triggers' regions: a messenger counterpart's, or a triple's partners'.
        const otherTriggers = [...(isOptical(other) ? [] : [other]), ...(coincidence.partners ?? [])];
        if (isOptical(other)) marks.push({ raDeg: other.raDeg, decDeg: other.decDeg, label: other.objectId });
        for (const t of otherTriggers) {
          // Its latest notice the token may see (a later revision may be one it may not).
          const counterpart = options
            .noticesByTriggerId(t.triggerId)
            .filter((n) => !access || seesEverything(access) || canSeeNotice(access.limits, n))
            .at(-1);
          const shape = counterpart ? regionShape(counterpart) : undefined;
          if (shape) shapes.push(shape);
          const r = counterpart?.region;
          if (!isOptical(other) && r && (r.type === 'circle' || r.type === 'ellipse'))
            marks.push({ raDeg: r.raDeg, decDeg: r.decDeg, label: t.triggerId });
        }
        const tier = coincidence.tier ?? 'no tier';
        const svg = await options.sky.svgOf(notice, {
          marks,
          shapes,
          title: `${[triggerId, ...(coincidence.partners ?? []).map((p) => p.triggerId)].join(' × ')} × ${isOptical(other) ? other.objectId : other.triggerId} · ${tier}${coincidence.status === 'withdrawn' ? ' (withdrawn)' : ''}`,
        });
        return reply.type('image/svg+xml; charset=utf-8').header('Cache-Control', 'no-store').send(svg);
      },
    );
  };
}
