/**
 * Prometheus metrics: counters, gauges and histograms with labels, rendered in the text
 * exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/).
 *
 * Written by hand rather than with prom-client: the service needs only these three types
 * and one registry per app instance (tests run several apps in one process), and the format
 * is a few lines; it saves a dependency.
 */
export type Labels = Record<string, string>;

interface Series {
  labels: Labels;
  value: number;
}

interface HistogramSeries {
  labels: Labels;
  buckets: number[];
  sum: number;
  count: number;
}

export interface Counter {
  inc(labels?: Labels, by?: number): void;
  get(labels?: Labels): number;
}

export interface Gauge {
  set(value: number, labels?: Labels): void;
  get(labels?: Labels): number;
}

export interface Histogram {
  observe(value: number, labels?: Labels): void;
}

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k] ?? ''}`)
    .join(',');
}

/** Label values escape backslash, double quote and newline (exposition format). */
function renderLabels(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.keys(labels)
    .sort()
    .map((k) => [k, labels[k] ?? ''] as [string, string]);
  if (extra) pairs.push(extra);
  if (pairs.length === 0) return '';
  const esc = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return `{${pairs.map(([k, v]) => `${k}="${esc(v)}"`).join(',')}}`;
}

function formatNumber(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return Number.isNaN(value) ? 'NaN' : String(value);
}

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  render(): string[];
}

export class MetricsRegistry {
  private readonly families: Family[] = [];
  /** Callbacks run before rendering, to refresh gauges whose value is read on demand. */
  private readonly collectors: Array<() => void> = [];

  private register(family: Family): void {
    if (this.families.some((f) => f.name === family.name))
      throw new Error(`metric ${family.name} registered twice`);
    this.families.push(family);
  }

  counter(name: string, help: string): Counter {
    const series = new Map<string, Series>();
    this.register({
      name,
      help,
      type: 'counter',
      render: () =>
        [...series.values()].map((s) => `${name}${renderLabels(s.labels)} ${formatNumber(s.value)}`),
    });
    return {
      inc(labels = {}, by = 1) {
        const key = labelKey(labels);
        const s = series.get(key);
        if (s) s.value += by;
        else series.set(key, { labels: { ...labels }, value: by });
      },
      get(labels = {}) {
        return series.get(labelKey(labels))?.value ?? 0;
      },
    };
  }

  gauge(name: string, help: string): Gauge {
    const series = new Map<string, Series>();
    this.register({
      name,
      help,
      type: 'gauge',
      render: () =>
        [...series.values()].map((s) => `${name}${renderLabels(s.labels)} ${formatNumber(s.value)}`),
    });
    return {
      set(value, labels = {}) {
        series.set(labelKey(labels), { labels: { ...labels }, value });
      },
      get(labels = {}) {
        return series.get(labelKey(labels))?.value ?? 0;
      },
    };
  }

  /** A histogram with cumulative buckets `le` (upper bounds, ascending) plus +Inf. */
  histogram(name: string, help: string, bucketBounds: readonly number[]): Histogram {
    const bounds = [...bucketBounds].sort((a, b) => a - b);
    const series = new Map<string, HistogramSeries>();
    this.register({
      name,
      help,
      type: 'histogram',
      render: () =>
        [...series.values()].flatMap((s) => [
          ...bounds.map(
            (bound, i) =>
              `${name}_bucket${renderLabels(s.labels, ['le', formatNumber(bound)])} ${s.buckets[i] ?? 0}`,
          ),
          `${name}_bucket${renderLabels(s.labels, ['le', '+Inf'])} ${s.count}`,
          `${name}_sum${renderLabels(s.labels)} ${formatNumber(s.sum)}`,
          `${name}_count${renderLabels(s.labels)} ${s.count}`,
        ]),
    });
    return {
      observe(value, labels = {}) {
        const key = labelKey(labels);
        let s = series.get(key);
        if (!s) {
          s = { labels: { ...labels }, buckets: bounds.map(() => 0), sum: 0, count: 0 };
          series.set(key, s);
        }
        for (let i = 0; i < bounds.length; i++)
          if (value <= (bounds[i] ?? Infinity)) s.buckets[i] = (s.buckets[i] ?? 0) + 1;
        s.sum += value;
        s.count += 1;
      },
    };
  }

  onCollect(collector: () => void): void {
    this.collectors.push(collector);
  }

  /** The whole registry in the Prometheus text format. */
  render(): string {
    for (const collect of this.collectors) collect();
    const lines: string[] = [];
    for (const family of this.families) {
      lines.push(`# HELP ${family.name} ${family.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
      lines.push(`# TYPE ${family.name} ${family.type}`);
      lines.push(...family.render());
    }
    return lines.join('\n') + '\n';
  }
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
