/**
 * GCN Kafka topics: which ones coincide consumes by default, and what each carries.
 *
 * Topic families (GCN docs, ../shared/reference/anchors.md §7):
 * - `gcn.classic.voevent.<TYPE>`: GCN Classic notices as VOEvent 2.0 XML;
 * - `gcn.notices.<mission>.<schema>`: unified-schema JSON notices, except
 *   `gcn.notices.svom.voevent.<instrument>`, which carry SVOM VOEvent XML;
 * - `igwn.gwalert`: LVK alerts, JSON with the multi-order sky map embedded in base64;
 * - `gcn.heartbeat`: a JSON message about once a second, `{"$schema": ..., "alert_datetime": "...Z"}`,
 *   used only as a liveness signal.
 * Patterns are regular expressions matched against the whole topic name.
 */
import { CoincideError } from '../errors.ts';

export const GCN_HEARTBEAT_TOPIC = 'gcn.heartbeat';

export const DEFAULT_GCN_TOPIC_PATTERNS: readonly RegExp[] = [
  /^gcn\.classic\.voevent\..+$/,
  /^gcn\.notices\..+$/,
  /^igwn\.gwalert$/,
  /^gcn\.heartbeat$/,
];

export type GcnTopicKind = 'heartbeat' | 'voevent' | 'json';

/** What a topic carries, by its name (the payload itself is sniffed again by the parser). */
export function classifyGcnTopic(topic: string): GcnTopicKind {
  if (topic === GCN_HEARTBEAT_TOPIC) return 'heartbeat';
  if (topic.startsWith('gcn.classic.voevent.') || topic.startsWith('gcn.notices.svom.voevent.'))
    return 'voevent';
  return 'json';
}

/**
 * Topic patterns from configuration: a RegExp is used as is; a string is a regular expression
 * source anchored at both ends (so "gcn.heartbeat" cannot match a longer name).
 */
export function compileTopicPatterns(patterns: ReadonlyArray<string | RegExp>): RegExp[] {
  return patterns.map((pattern) => {
    if (pattern instanceof RegExp) return pattern;
    try {
      return new RegExp(`^(?:${pattern})$`);
    } catch (error) {
      throw new CoincideError(
        'CONFIG_INVALID',
        `GCN topic pattern "${pattern}" is not a regular expression`,
        {
          cause: error,
        },
      );
    }
  });
}

export function matchesAny(topic: string, patterns: readonly RegExp[]): boolean {
  return patterns.some((pattern) => {
    pattern.lastIndex = 0;
    return pattern.test(topic);
  });
}
