/**
 * The join area's public API (what src/app.ts and the CLI use).
 *
 *   const engine = createJoinEngine({ buffer: new SqliteOpticalBuffer(db), logger });
 *   engine.onNotice(notice, { region: createSkyMapRegion(skymap) });   // → Coincidence[]
 *   engine.onOpticalAlert(alert);                                       // → Coincidence[]
 *   engine.advanceWatermark(eventTimeMjd);                              // heartbeats, end of replay
 *
 * Circles and ellipses are resolved from the notice itself; a sky map must be read by the caller
 * (src/sky readSkyMap) and passed as `region`, since the engine does no I/O.
 */
export type { ActiveRegion, RaDecBox } from './active-region.ts';
export {
  DEFAULT_BACKGROUND_RATE_OPTIONS,
  type BackgroundRateOptions,
  type MeasuredRate,
} from './background-rate.ts';
export { coincidenceId } from './build-coincidence.ts';
export { createCircleRegion } from './circle-region.ts';
export type * from './coincidence.ts';
export { DEFAULT_CRITERIA, type CounterpartCriteria } from './criteria.ts';
export {
  createJoinEngine,
  type JoinEngine,
  type JoinEngineOptions,
  type JoinEngineStats,
  type JoinOutput,
  type NoticeInputOptions,
} from './engine.ts';
export { MemoryOpticalBuffer, type OpticalBuffer } from './optical-buffer.ts';
export { defaultRegionResolver, type RegionResolver } from './region-resolver.ts';
export { FORMULA_VERSION, TIER_THRESHOLDS } from './score.ts';
export {
  explainCoincidence,
  renderExplanation,
  type Explanation,
  type ExplanationSection,
} from './explain.ts';
export { DEFAULT_SCORE_SETTINGS, type ScoreSettings, type SearchName } from './searches.ts';
export { joinOptionsFromConfig, type ScoresConfig } from './score-config.ts';
export { createSkyMapRegion } from './skymap-region.ts';
export { DEFAULT_WINDOWS, type TimeWindow, type TriggerClass, type WindowTable } from './windows.ts';
