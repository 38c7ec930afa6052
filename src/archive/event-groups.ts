/**
 * Event groups: the triggers of one astrophysical event across messengers (a GW superevent, its
 * GRB and neutrino counterparts, their optical candidates), with every notice, revision and
 * coincidence of them in time order.
 *
 * Two triggers are linked when
 * - they share an identity or reference (archive_refs; notice-refs.ts): a VOEvent Citation of the
 *   other's ivorn, an LVK external coincidence naming the other's ivorn or notice id, a GCN
 *   FollowUp ref_ID naming the other's event, or the same public event name;
 * - or a significant MM×MM coincidence joins them: an mm-mm coincidence whose latest record is a
 *   candidate of tier gold or silver (a withdrawn one no longer links).
 * A group is the connected component of a trigger (breadth-first walk, at most MAX_TRIGGERS).
 *
 * Stable id: base64url of the group's founding trigger id, the trigger of the group's first
 * stored notice. A group that grows keeps its founder, so its id; when two groups merge, the
 * older founder wins and the other id still resolves (to the merged group, `id` then names the
 * canonical one). Nothing is stored: the id is recomputed from the links.
 */
import { CoincideError } from '../errors.ts';
import type { SqliteDatabase } from '../store/database.ts';

export const MAX_TRIGGERS = 200;

export interface GroupTrigger {
  triggerId: string;
  messenger: string;
  observatory: string;
  eventName?: string;
  /** ISO 8601 UTC of its earliest notice's trigger time. */
  triggerTime: string;
  notices: number;
}

export interface GroupLink {
  from: string;
  to: string;
  /** 'ivorn' | 'trigger' | 'name' (shared identity or reference) or 'coincidence'. */
  kind: string;
  /** The shared value, or the coincidence id. */
  value: string;
}

export type TimelineEntry =
  | { time: string; type: 'notice'; noticeId: number; json: string }
  | { time: string; type: 'coincidence' | 'withdrawn'; seq: number; json: string };

export interface EventGroup {
  id: string;
  triggers: GroupTrigger[];
  links: GroupLink[];
  timeline: TimelineEntry[];
  /** True when the walk stopped at MAX_TRIGGERS. */
  truncated: boolean;
}

export function groupIdOf(founderTriggerId: string): string {
  return Buffer.from(founderTriggerId, 'utf8').toString('base64url');
}

export function founderOf(groupId: string): string {
  const text = Buffer.from(groupId, 'base64url').toString('utf8');
  if (text === '' || groupIdOf(text) !== groupId)
    throw new CoincideError('NOT_FOUND', `no event group ${groupId}`);
  return text;
}

export interface EventGroups {
  /** The group of a trigger; undefined when the trigger is not stored. */
  ofTrigger(triggerId: string): EventGroup | undefined;
  /** The group an id names (possibly merged since into an older one); undefined when unknown. */
  byId(groupId: string): EventGroup | undefined;
}

const SIGNIFICANT_TIERS = "('gold', 'silver')";

export function createEventGroups(db: SqliteDatabase): EventGroups {
  const refsOf = db.prepare('SELECT DISTINCT kind, value FROM archive_refs WHERE trigger_id = ?');
  const sharing = db.prepare(
    'SELECT DISTINCT trigger_id FROM archive_refs WHERE kind = ? AND value = ? AND trigger_id != ? LIMIT 1000',
  );
  // Latest record of each mm-mm coincidence touching the trigger, when significant.
  const coincidenceEdges = db.prepare(
    `SELECT c.id, c.trigger_id, c.counterpart_trigger_id FROM archive_coincidences c
     WHERE (c.trigger_id = @trigger OR c.counterpart_trigger_id = @trigger) AND c.pair_type = 'mm-mm'
       AND c.seq = (SELECT max(seq) FROM archive_coincidences WHERE id = c.id)
       AND c.status = 'candidate' AND c.tier IN ${SIGNIFICANT_TIERS}`,
  );
  const exists = db.prepare('SELECT 1 FROM archive_notices WHERE trigger_id = ? LIMIT 1').pluck();

  const walk = (start: string): { members: string[]; links: GroupLink[]; truncated: boolean } => {
    const members = new Set([start]);
    const queue = [start];
    const links: GroupLink[] = [];
    const seenLinks = new Set<string>();
    const link = (from: string, to: string, kind: string, value: string): void => {
      const [a, b] = from < to ? [from, to] : [to, from];
      const key = `${a}\u0000${b}\u0000${kind}\u0000${value}`;
      if (seenLinks.has(key)) return;
      seenLinks.add(key);
      links.push({ from: a, to: b, kind, value });
    };
    let truncated = false;
    const visit = (other: string): void => {
      if (members.has(other)) return;
      if (members.size >= MAX_TRIGGERS) {
        truncated = true;
        return;
      }
      members.add(other);
      queue.push(other);
    };
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const trigger = next;
      for (const ref of refsOf.all(trigger) as Array<{ kind: string; value: string }>) {
        for (const other of sharing.pluck().all(ref.kind, ref.value, trigger) as string[]) {
          link(trigger, other, ref.kind, ref.value);
          visit(other);
        }
      }
      for (const edge of coincidenceEdges.all({ trigger }) as Array<{
        id: string;
        trigger_id: string;
        counterpart_trigger_id: string | null;
      }>) {
        const other = edge.trigger_id === trigger ? edge.counterpart_trigger_id : edge.trigger_id;
        if (other === null || other === trigger) continue;
        link(trigger, other, 'coincidence', edge.id);
        visit(other);
      }
    }
    return { members: [...members], links, truncated };
  };

  const build = (start: string): EventGroup | undefined => {
    if (exists.get(start) === undefined) return undefined;
    const { members, links, truncated } = walk(start);
    const memberJson = JSON.stringify(members);
    const founder = db
      .prepare(
        'SELECT trigger_id FROM archive_notices WHERE trigger_id IN (SELECT value FROM json_each(?)) ORDER BY notice_id LIMIT 1',
      )
      .pluck()
      .get(memberJson) as string;
    const triggers = (
      db
        .prepare(
          `SELECT trigger_id, min(messenger) AS messenger, min(observatory) AS observatory, max(event_name) AS event_name,
                  min(trigger_time_mjd) AS t, count(*) AS n
           FROM archive_notices WHERE trigger_id IN (SELECT value FROM json_each(?))
           GROUP BY trigger_id ORDER BY t, trigger_id`,
        )
        .all(memberJson) as Array<{
        trigger_id: string;
        messenger: string;
        observatory: string;
        event_name: string | null;
        t: number;
        n: number;
      }>
    ).map((r) => ({
      triggerId: r.trigger_id,
      messenger: r.messenger,
      observatory: r.observatory,
      ...(r.event_name === null ? {} : { eventName: r.event_name }),
      triggerTime: new Date((r.t - 40587) * 86_400_000).toISOString(),
      notices: r.n,
    }));
    const notices = db
      .prepare(
        `SELECT a.notice_id, a.received_at_ms, n.json FROM archive_notices a JOIN notices n ON n.id = a.notice_id
         WHERE a.trigger_id IN (SELECT value FROM json_each(?))`,
      )
      .all(memberJson) as Array<{ notice_id: number; received_at_ms: number; json: string }>;
    const coincidences = db
      .prepare(
        `SELECT seq, status, created_ms, json FROM archive_coincidences
         WHERE trigger_id IN (SELECT value FROM json_each(@members)) OR counterpart_trigger_id IN (SELECT value FROM json_each(@members))`,
      )
      .all({ members: memberJson }) as Array<{
      seq: number;
      status: string;
      created_ms: number;
      json: string;
    }>;
    const entries: Array<{ ms: number; order: number; entry: TimelineEntry }> = [
      ...notices.map((n) => ({
        ms: n.received_at_ms,
        order: n.notice_id,
        entry: {
          time: new Date(n.received_at_ms).toISOString(),
          type: 'notice' as const,
          noticeId: n.notice_id,
          json: n.json,
        },
      })),
      ...coincidences.map((c) => ({
        ms: c.created_ms,
        order: c.seq,
        entry: {
          time: new Date(c.created_ms).toISOString(),
          type: c.status === 'withdrawn' ? ('withdrawn' as const) : ('coincidence' as const),
          seq: c.seq,
          json: c.json,
        },
      })),
    ];
    entries.sort((a, b) => a.ms - b.ms || a.order - b.order);
    return {
      id: groupIdOf(founder),
      triggers,
      links,
      timeline: entries.map((e) => e.entry),
      truncated,
    };
  };

  return {
    ofTrigger: build,
    byId(groupId) {
      return build(founderOf(groupId));
    },
  };
}

/**
 * The group as JSON; stored notice and coincidence JSON is spliced, never re-serialised. With
 * `visible` predicates (a limited token), only what they accept is listed, and only the
 * triggers (and links between them) of which a visible notice remains.
 */
export function eventGroupJson(
  group: EventGroup,
  visible: { notice?: (json: string) => boolean; coincidence?: (json: string) => boolean } = {},
): string {
  const entries = group.timeline.filter((e) =>
    e.type === 'notice' ? (visible.notice?.(e.json) ?? true) : (visible.coincidence?.(e.json) ?? true),
  );
  let id = group.id;
  let triggers = group.triggers;
  let links = group.links;
  if (visible.notice) {
    // Only the triggers with a visible notice, with their visible notices counted, the links
    // between them, and an id that names one of them: the group's own id names its founder,
    // which may be a trigger the token must not learn of (it resolves to the same group).
    const seen = new Map<string, number>();
    for (const e of entries) {
      if (e.type !== 'notice') continue;
      const triggerId = (JSON.parse(e.json) as { triggerId: string }).triggerId;
      seen.set(triggerId, (seen.get(triggerId) ?? 0) + 1);
    }
    triggers = triggers
      .filter((t) => seen.has(t.triggerId))
      .map((t) => ({ ...t, notices: seen.get(t.triggerId) ?? 0 }));
    links = links.filter((l) => seen.has(l.from) && seen.has(l.to));
    const founder = triggers[0]?.triggerId;
    if (founder !== undefined && !seen.has(founderOf(group.id))) id = groupIdOf(founder);
  }
  const timeline = entries.map((e) =>
    e.type === 'notice'
      ? `{"time":"${e.time}","type":"notice","noticeId":${e.noticeId},"data":${e.json}}`
      : `{"time":"${e.time}","type":"${e.type}","seq":${e.seq},"data":${e.json}}`,
  );
  return `{"id":${JSON.stringify(id)},"triggers":${JSON.stringify(triggers)},"links":${JSON.stringify(links)},"truncated":${group.truncated},"timeline":[${timeline.join(',')}]}`;
}

/**
 * The triggers of the group a limited token may see (those with a notice it may see); the
 * routes answer 404 when the trigger or id asked for is not among them.
 */
export function visibleTriggerIds(group: EventGroup, visibleNotice: (json: string) => boolean): Set<string> {
  const seen = new Set<string>();
  for (const e of group.timeline) {
    if (e.type === 'notice' && visibleNotice(e.json))
      seen.add((JSON.parse(e.json) as { triggerId: string }).triggerId);
  }
  return seen;
}
