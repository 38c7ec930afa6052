/**
 * GET /v1/event-groups/{groupId}          one astrophysical event across messengers: its
 *                                         triggers, what links them, and every notice, revision
 *                                         and coincidence of them in time order
 * GET /v1/event-groups?triggerId=…        the group of a trigger (the same answer)
 * (src/archive/event-groups.ts; the token's limits apply to what is listed.)
 */
import type { FastifyReply } from 'fastify';
import { canSeeCoincidence, canSeeNotice, seesEverything } from '../../auth/access.ts';
import type { TokenInfo } from '../../auth/tokens.ts';
import {
  eventGroupJson,
  founderOf,
  visibleTriggerIds,
  type EventGroup,
  type EventGroups,
} from '../../archive/event-groups.ts';
import { CoincideError } from '../../errors.ts';
import type { Coincidence } from '../../join/coincidence.ts';
import type { Notice } from '../../notices/notice.ts';
import type { RoutePlugin } from '../server.ts';
import { sendJsonText } from './records.ts';
import { errorResponse, tokenQuery } from './schemas.ts';

export interface EventGroupRoutesOptions {
  groups: EventGroups;
}

const groupResponse = {
  description:
    'The group: `{"id","triggers":[{triggerId,messenger,observatory,eventName,triggerTime,notices}],' +
    '"links":[{from,to,kind,value}],"truncated","timeline":[{time,type,noticeId|seq,data}]}`; ' +
    'type is notice, coincidence or withdrawn, in time order.',
  content: { 'application/json': { schema: { type: 'object' } } },
} as const;

/**
 * The group as the token may see it. A limited token gets 404, as for no group, when the
 * trigger it asked for (by ?triggerId= or by an id, which names a trigger) is one it may not
 * see, or when it may see nothing of the group: the answer must not tell it that a private
 * trigger exists, nor what it is linked to.
 */
function send(
  reply: FastifyReply,
  access: TokenInfo | undefined,
  group: EventGroup | undefined,
  what: string,
  askedTriggerId: string,
) {
  if (access === undefined) throw new CoincideError('AUTH_REQUIRED', 'a valid bearer token is required');
  const notFound = (): CoincideError => new CoincideError('NOT_FOUND', `no event group for ${what}`);
  if (group === undefined) throw notFound();
  if (seesEverything(access)) return sendJsonText(reply, eventGroupJson(group));
  const notice = (json: string): boolean => canSeeNotice(access.limits, JSON.parse(json) as Notice);
  if (!visibleTriggerIds(group, notice).has(askedTriggerId)) throw notFound();
  const body = eventGroupJson(group, {
    notice,
    coincidence: (json) => canSeeCoincidence(access.limits, JSON.parse(json) as Coincidence),
  });
  return sendJsonText(reply, body);
}

export function eventGroupRoutes(options: EventGroupRoutesOptions): RoutePlugin {
  const { groups } = options;
  return (app) => {
    app.get<{ Params: { groupId: string }; Querystring: Record<string, string> }>(
      '/v1/event-groups/:groupId',
      {
        config: { scope: 'notices' },
        schema: {
          summary: 'One event across messengers: its triggers, links, notices and coincidences in time order',
          params: {
            type: 'object',
            properties: {
              groupId: { type: 'string', minLength: 1, maxLength: 1024, pattern: '^[A-Za-z0-9_-]+$' },
            },
            required: ['groupId'],
          },
          querystring: { type: 'object', additionalProperties: false, properties: { ...tokenQuery } },
          response: { 200: groupResponse, 404: errorResponse('No such group.') },
        },
      },
      async (request, reply) =>
        send(
          reply,
          request.access,
          groups.byId(request.params.groupId),
          request.params.groupId,
          founderOf(request.params.groupId),
        ),
    );
    app.get<{ Querystring: { triggerId: string } }>(
      '/v1/event-groups',
      {
        config: { scope: 'notices' },
        schema: {
          summary: 'The event group of a trigger',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              triggerId: { type: 'string', minLength: 1, maxLength: 512, description: 'e.g. LVK:S230518h' },
              ...tokenQuery,
            },
            required: ['triggerId'],
          },
          response: { 200: groupResponse, 404: errorResponse('The trigger is not stored.') },
        },
      },
      async (request, reply) =>
        send(
          reply,
          request.access,
          groups.ofTrigger(request.query.triggerId),
          request.query.triggerId,
          request.query.triggerId,
        ),
    );
  };
}
