/**
 * Einstein Probe (JSON only, Kafka `gcn.notices.einstein_probe.wxt.alert`), notices.md §7.
 *
 * `id` is a list of one string (`["01709259773"]`) and is absent in some genuine alerts
 * (EP240508): the trigger id then falls back to instrument + trigger time, the only other
 * stable identity of the alert. There is no mission, alert_type, alert_datetime or
 * record_number: every alert is an initial one, with no revision or retraction signal.
 * `ra_dec_error` has no containment_probability: the schema default 0.9 applies.
 * Both `$schema` spellings (`…/schema/main/…`, `…/schema/v4.1.0/…`) are accepted.
 */
import { firstString, stringField, type JsonObject } from './gcn-json/json-values.ts';

export function einsteinProbeTriggerId(json: JsonObject): string | undefined {
  const id = firstString(json, 'id');
  if (id !== undefined) return `EinsteinProbe:${id}`;
  const time = stringField(json, 'trigger_time');
  if (time === undefined) return undefined;
  return `EinsteinProbe:${stringField(json, 'instrument') ?? 'WXT'}-${time}`;
}
