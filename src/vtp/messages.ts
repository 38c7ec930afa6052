/**
 * Transport messages (VTP 2.0 §5-§7; Transport-v1.1.xsd; comet/protocol/messages.py).
 *
 * Emitted shape (schema order, children unqualified, prefixed root, never a default namespace):
 *   <?xml version='1.0' encoding='UTF-8'?>
 *   <trn:Transport xmlns:trn="NS" version="1.0" role="ROLE">
 *     <Origin>…</Origin> [<Response>…</Response>] <TimeStamp>YYYY-MM-DDTHH:MM:SSZ</TimeStamp>
 *     [<Meta> <Param name="…" value="…"/>* [<Result>…</Result>] </Meta>]
 *   </trn:Transport>
 *
 * Input: a root with local name Transport in ANY namespace (or none), children read by local
 * name in any order, TimeStamp never checked (pygcn sends zone-less local times).
 */
import type { Element } from '@xmldom/xmldom';
import type { ParsedPayload, TransportRole } from './payload.ts';

/** GCN / VTP 2.0 REC namespace: accepted by every pygcn and by Comet. Our default. */
export const TRANSPORT_NAMESPACE_GCN = 'http://telescope-networks.org/schema/Transport/v1.1';
/** The namespace Comet itself emits. */
export const TRANSPORT_NAMESPACE_COMET = 'http://www.telescope-networks.org/xml/Transport/v1.1';

export interface TransportParam {
  name: string;
  value: string;
}

export interface TransportMessage {
  role: TransportRole;
  origin: string;
  response?: string;
  /** As written; never interpreted. */
  timeStamp?: string;
  params: TransportParam[];
  result?: string;
  /** Legacy `<Meta><filter type="xpath">EXPR</filter></Meta>` expressions (Comet issue #31). */
  legacyXpathFilters: string[];
}

export interface MessageOptions {
  namespace?: string;
  /** Unix ms for TimeStamp. */
  nowMs: number;
}

/** A character escapeXml changes. */
const NEEDS_ESCAPE = /[&<>"']/;

function escapeXml(text: string): string {
  // Most texts (IVOIDs, namespaces) have none: one test instead of five replacements.
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** The last second formatted by formatTimeStamp: every ack of the same second has the same stamp. */
let stampCache = { second: NaN, text: '' };

/**
 * UTC `%Y-%m-%dT%H:%M:%SZ`, as Comet >= 3.0. The text of the last second asked for is kept
 * (issue 14: a Date and a regular expression per ack were ~10 µs of the receiver's main thread).
 */
export function formatTimeStamp(nowMs: number): string {
  // As Date: the time is first cut to whole ms toward zero, then the second is its floor.
  const second = Math.floor(Math.trunc(nowMs) / 1000);
  if (second !== stampCache.second) {
    stampCache = { second, text: new Date(second * 1000).toISOString().replace(/\.000Z$/, 'Z') };
  }
  return stampCache.text;
}

interface BuildInput {
  role: TransportRole;
  origin: string;
  response?: string | undefined;
  params?: TransportParam[];
  result?: string | undefined;
  /** Write an (empty) Meta even without params/result (Comet's authenticate reply). */
  alwaysMeta?: boolean;
}

function build(input: BuildInput, options: MessageOptions): Buffer {
  const ns = options.namespace ?? TRANSPORT_NAMESPACE_GCN;
  const parts = [
    `<?xml version='1.0' encoding='UTF-8'?>\n`,
    `<trn:Transport xmlns:trn="${escapeXml(ns)}" version="1.0" role="${input.role}">\n`,
    `  <Origin>${escapeXml(input.origin)}</Origin>\n`,
  ];
  if (input.response) parts.push(`  <Response>${escapeXml(input.response)}</Response>\n`);
  parts.push(`  <TimeStamp>${formatTimeStamp(options.nowMs)}</TimeStamp>\n`);
  const params = input.params ?? [];
  if (params.length > 0 || input.result !== undefined || input.alwaysMeta) {
    parts.push('  <Meta>\n');
    for (const p of params)
      parts.push(`    <Param name="${escapeXml(p.name)}" value="${escapeXml(p.value)}"/>\n`);
    if (input.result !== undefined) parts.push(`    <Result>${escapeXml(input.result)}</Result>\n`);
    parts.push('  </Meta>\n');
  }
  parts.push('</trn:Transport>\n');
  return Buffer.from(parts.join(''), 'utf8');
}

/** Broker keep-alive probe: Origin = broker IVOID. */
export function iamalive(localIvo: string, options: MessageOptions): Buffer {
  return build({ role: 'iamalive', origin: localIvo }, options);
}

/** Subscriber's answer to a probe: Origin copied, Response = our IVOID when we have one. */
export function iamaliveReply(
  probeOrigin: string,
  localIvo: string | undefined,
  options: MessageOptions,
): Buffer {
  return build({ role: 'iamalive', origin: probeOrigin, response: localIvo }, options);
}

/** Broker's authenticate request, sent on connect. */
export function authenticate(localIvo: string, options: MessageOptions): Buffer {
  return build({ role: 'authenticate', origin: localIvo }, options);
}

/** Subscriber's authenticate reply: always a Meta, one xpath-filter Param per filter (Comet). */
export function authenticateReply(
  requestOrigin: string,
  localIvo: string | undefined,
  xpathFilters: readonly string[],
  options: MessageOptions,
): Buffer {
  return build(
    {
      role: 'authenticate',
      origin: requestOrigin,
      response: localIvo,
      params: xpathFilters.map((value) => ({ name: 'xpath-filter', value })),
      alwaysMeta: true,
    },
    options,
  );
}

/** Ack of a VOEvent: Origin = its ivorn, Response = our IVOID. */
export function ack(ivorn: string, localIvo: string | undefined, options: MessageOptions): Buffer {
  return build({ role: 'ack', origin: ivorn, response: localIvo }, options);
}

/** Nak of a VOEvent; Comet writes the reason as Meta/Result "Event rejected: REASON". */
export function nak(
  ivorn: string,
  localIvo: string | undefined,
  reason: string,
  options: MessageOptions,
): Buffer {
  return build(
    { role: 'nak', origin: ivorn, response: localIvo, result: `Event rejected: ${reason}` },
    options,
  );
}

function childElements(element: Element): Element[] {
  const out: Element[] = [];
  for (let node = element.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === 1) out.push(node as Element);
  }
  return out;
}

function localNameOf(element: Element): string {
  return element.localName ?? element.nodeName;
}

/**
 * Reads a Transport message from a parsed payload of kind 'transport' (any namespace, any
 * child order). Origin may be '' when absent: callers never echo an empty Origin.
 */
export function readTransport(payload: ParsedPayload): TransportMessage {
  const message: TransportMessage = {
    role: payload.role as TransportRole,
    origin: '',
    params: [],
    legacyXpathFilters: [],
  };
  for (const child of childElements(payload.root)) {
    const name = localNameOf(child);
    const text = (child.textContent ?? '').trim();
    if (name === 'Origin') message.origin = text;
    else if (name === 'Response') message.response = text;
    else if (name === 'TimeStamp') message.timeStamp = text;
    else if (name === 'Meta') {
      for (const meta of childElements(child)) {
        const metaName = localNameOf(meta);
        if (metaName === 'Param') {
          message.params.push({
            name: meta.getAttribute('name') ?? '',
            value: meta.getAttribute('value') ?? '',
          });
        } else if (metaName === 'Result') {
          message.result = (meta.textContent ?? '').trim();
        } else if (metaName === 'filter' && meta.getAttribute('type') === 'xpath') {
          message.legacyXpathFilters.push((meta.textContent ?? '').trim());
        }
      }
    }
  }
  return message;
}

/** Every filter expression carried by an authenticate reply (Param form, then legacy form). */
export function xpathFiltersOf(message: TransportMessage): string[] {
  return [
    ...message.params.filter((p) => p.name === 'xpath-filter').map((p) => p.value),
    ...message.legacyXpathFilters,
  ];
}
