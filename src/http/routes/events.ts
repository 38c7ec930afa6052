/**
 * GET /v1/events/{ivorn}  the raw VOEvent, byte-identical (URL-encode the ivorn).
 */
import { canSeeEvent, type NoticeFacts } from '../../auth/access.ts';
import type { RoutePlugin } from '../server.ts';
import { CoincideError } from '../../errors.ts';
import { errorResponse, tokenQuery } from './schemas.ts';

export interface EventRoutesOptions {
  /** The raw bytes of a stored VOEvent by ivorn. */
  rawEventByIvorn: (ivorn: string) => Uint8Array | undefined;
  /** The notices made from the event (for role and observatory limits). */
  noticesByIvorn: (ivorn: string) => NoticeFacts[];
}

export function eventRoutes(options: EventRoutesOptions): RoutePlugin {
  return (app) => {
    app.get<{ Params: { ivorn: string } }>(
      '/v1/events/:ivorn',
      {
        config: { scope: 'events' },
        schema: {
          summary: 'A raw VOEvent, byte-identical',
          params: {
            type: 'object',
            properties: {
              ivorn: {
                type: 'string',
                minLength: 1,
                maxLength: 1024,
                description: 'The URL-encoded ivorn, e.g. ivo%3A%2F%2Fnasa.gsfc.gcn%2FFermi%23…',
              },
            },
            required: ['ivorn'],
          },
          querystring: { type: 'object', additionalProperties: false, properties: { ...tokenQuery } },
          response: {
            200: {
              description: 'The VOEvent XML as received.',
              content: { 'application/xml': { schema: { type: 'string' } } },
            },
            404: errorResponse('No event with this ivorn that the token may see.'),
          },
        },
      },
      async (request, reply) => {
        const { ivorn } = request.params;
        const access = request.access;
        if (access === undefined)
          throw new CoincideError('AUTH_REQUIRED', 'a valid bearer token is required');
        const bytes = options.rawEventByIvorn(ivorn);
        if (!bytes || !canSeeEvent(access, ivorn, options.noticesByIvorn(ivorn))) {
          throw new CoincideError('NOT_FOUND', `no event with ivorn ${ivorn}`);
        }
        return reply
          .type('application/xml')
          .header('Cache-Control', 'no-store')
          .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      },
    );
  };
}
