import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetricsRegistry } from '../../src/http/metrics.ts';

describe('metrics registry', () => {
  it('renders counters and gauges with sorted, escaped labels in the Prometheus text format', () => {
    const registry = new MetricsRegistry();
    const counter = registry.counter('x_total', 'Things.');
    counter.inc({ source: 'a"b\\c\nd' });
    counter.inc({ source: 'vtp', outcome: 'ok' }, 2);
    registry.gauge('y', 'A gauge.').set(1.5);
    assert.equal(
      registry.render(),
      [
        '# HELP x_total Things.',
        '# TYPE x_total counter',
        'x_total{source="a\\"b\\\\c\\nd"} 1',
        'x_total{outcome="ok",source="vtp"} 2',
        '# HELP y A gauge.',
        '# TYPE y gauge',
        'y 1.5',
        '',
      ].join('\n'),
    );
  });

  it('renders histograms as cumulative buckets with +Inf, sum and count', () => {
    const registry = new MetricsRegistry();
    const h = registry.histogram('lat_seconds', 'Latency.', [0.1, 0.01]);
    for (const v of [0.005, 0.05, 0.5]) h.observe(v, { kind: 'notice' });
    const lines = registry.render().split('\n');
    assert.deepEqual(lines.slice(2, 7), [
      'lat_seconds_bucket{kind="notice",le="0.01"} 1',
      'lat_seconds_bucket{kind="notice",le="0.1"} 2',
      'lat_seconds_bucket{kind="notice",le="+Inf"} 3',
      'lat_seconds_sum{kind="notice"} 0.555',
      'lat_seconds_count{kind="notice"} 3',
    ]);
  });

  it('refuses to register one name twice', () => {
    const registry = new MetricsRegistry();
    registry.counter('dup_total', 'x');
    assert.throws(() => registry.gauge('dup_total', 'y'));
  });
});
