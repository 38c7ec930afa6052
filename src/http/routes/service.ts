/**
 * GET /healthz  open: only {"status":"ok"} (200) or {"status":"degraded"} (503); with an admin
 *               token, the detailed report (src/http/health.ts).
 * GET /metrics  Prometheus text; needs the metrics (or admin) scope.
 */
import type { RoutePlugin } from '../server.ts';
import { hasScope } from '../../auth/access.ts';
import type { HealthRegistry } from '../health.ts';
import { PROMETHEUS_CONTENT_TYPE, type MetricsRegistry } from '../metrics.ts';
import { sendJsonText } from './records.ts';
import { tokenQuery } from './schemas.ts';

export function serviceRoutes(options: { health: HealthRegistry; metrics: MetricsRegistry }): RoutePlugin {
  return (app) => {
    app.get(
      '/healthz',
      {
        schema: {
          summary: 'Up or down; the detail with an admin token',
          querystring: { type: 'object', additionalProperties: false, properties: { ...tokenQuery } },
          response: {
            200: {
              description: '{"status":"ok"} (and the detail for an admin token).',
              content: { 'application/json': { schema: { type: 'object' } } },
            },
            503: {
              description: '{"status":"degraded"}',
              content: { 'application/json': { schema: { type: 'object' } } },
            },
          },
        },
      },
      async (request, reply) => {
        const detailed = hasScope(request.access, 'admin');
        const report = detailed ? options.health.report() : { status: options.health.status() };
        return sendJsonText(reply.code(report.status === 'ok' ? 200 : 503), JSON.stringify(report));
      },
    );

    app.get(
      '/metrics',
      {
        config: { scope: 'metrics' },
        schema: {
          summary: 'Prometheus metrics (text exposition format 0.0.4)',
          querystring: { type: 'object', additionalProperties: false, properties: { ...tokenQuery } },
          response: {
            200: {
              description: 'Prometheus text.',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
          },
        },
      },
      async (_request, reply) => reply.type(PROMETHEUS_CONTENT_TYPE).send(options.metrics.render()),
    );
  };
}
