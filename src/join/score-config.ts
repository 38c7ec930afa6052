/**
 * The `scores.*` configuration (src/config/options.ts) as join engine options: windows, rates,
 * trials factors and tier thresholds. Defaults and their sources: searches.ts, windows.ts,
 * score.ts (and the README's "Coincidence windows, rates and scores").
 *
 * Window overrides are "<trigger>/<counterpart>=<startSec>..<endSec>", e.g. "gw-cbc/grb=-1..5"
 * (Δt = t_counterpart − t_trigger); they replace or add entries of the default window table.
 */
import { CoincideError } from '../errors.ts';
import { DEFAULT_SCORE_SETTINGS, type ScoreSettings } from './searches.ts';
import {
  checkWindowTable,
  DEFAULT_WINDOWS,
  windowKey,
  type TimeWindow,
  type WindowTable,
} from './windows.ts';
import type { CounterpartClass, TriggerClass } from './windows.ts';

export interface ScoresConfig {
  windows: readonly string[];
  grbRatePerYear: number;
  subGrbExtraRatePerYear: number;
  henRatePerYear: number;
  otherRatePerYear: number;
  trialsFactorCbc: number;
  trialsFactorBurst: number;
  farThresholdCbcHz: number;
  farThresholdBurstHz: number;
  snewsGwFarThresholdHz: number;
  goldMargin: number;
  bronzeFactor: number;
  targetedFermiGwFarHz: number;
  targetedFermiExternalFarHz: number;
  targetedSwiftGwFarHz: number;
  targetedSwiftExternalFarHz: number;
  opticalGoldPChance: number;
  opticalSilverPChance: number;
  opticalBronzePChance: number;
  tripleMaxPairFarHz: number;
  tripleFarThresholdHz: number;
}

const WINDOW_OVERRIDE =
  /^\s*([a-z-]+)\s*\/\s*([a-z-]+)\s*=\s*([+-]?[\d.]+(?:e[+-]?\d+)?)\s*\.\.\s*([+-]?[\d.]+(?:e[+-]?\d+)?)\s*$/i;

function bad(message: string): CoincideError {
  return new CoincideError('CONFIG_INVALID', `scores: ${message}`);
}

/** The window table with the overrides applied; CONFIG_INVALID names a bad override. */
export function windowsFromOverrides(overrides: readonly string[]): WindowTable {
  const table: Record<string, TimeWindow> = { ...DEFAULT_WINDOWS };
  for (const text of overrides) {
    const m = WINDOW_OVERRIDE.exec(text);
    if (!m) throw bad(`window "${text}" is not <trigger>/<counterpart>=<startSec>..<endSec>`);
    const key = windowKey(m[1] as TriggerClass, m[2] as CounterpartClass);
    table[key] = { startSec: Number(m[3]), endSec: Number(m[4]) };
  }
  const problems = checkWindowTable(table);
  if (problems.length > 0) throw bad(problems.join('; '));
  return Object.freeze(table);
}

/** Score settings from the configuration (every other value stays gwcelery's). */
export function scoreSettingsFromConfig(c: ScoresConfig): ScoreSettings {
  const t = DEFAULT_SCORE_SETTINGS;
  const optical = {
    gold: c.opticalGoldPChance,
    silver: c.opticalSilverPChance,
    bronze: c.opticalBronzePChance,
  };
  if (!(optical.gold <= optical.silver && optical.silver <= optical.bronze && optical.bronze <= 1))
    throw bad('optical pChance thresholds must satisfy gold ≤ silver ≤ bronze ≤ 1');
  if (!(c.goldMargin >= 1) || !(c.bronzeFactor >= 1)) throw bad('goldMargin and bronzeFactor must be ≥ 1');
  if (!(c.tripleMaxPairFarHz > 0)) throw bad('tripleMaxPairFarHz must be > 0');
  return {
    grbRatePerYear: c.grbRatePerYear,
    subGrbExtraRatePerYear: c.subGrbExtraRatePerYear,
    henRatePerYear: c.henRatePerYear,
    otherRatePerYear: c.otherRatePerYear,
    targeted: {
      fermi: { gwFarHz: c.targetedFermiGwFarHz, externalFarHz: c.targetedFermiExternalFarHz },
      swift: { gwFarHz: c.targetedSwiftGwFarHz, externalFarHz: c.targetedSwiftExternalFarHz },
    },
    trialsFactors: {
      CBC: { ...t.trialsFactors.CBC, AllSky: c.trialsFactorCbc },
      Burst: { ...t.trialsFactors.Burst, AllSky: c.trialsFactorBurst },
    },
    farThresholdsHz: {
      CBC: {
        ...t.farThresholdsHz.CBC,
        AllSky: c.farThresholdCbcHz,
        EarlyWarning: c.farThresholdCbcHz,
        MDC: c.farThresholdCbcHz,
      },
      Burst: { ...t.farThresholdsHz.Burst, AllSky: c.farThresholdBurstHz },
    },
    snewsGwFarThresholdHz: c.snewsGwFarThresholdHz,
    goldMargin: c.goldMargin,
    bronzeFactor: c.bronzeFactor,
    opticalPChance: optical,
    tripleMaxPairFarHz: c.tripleMaxPairFarHz,
    tripleFarThresholdHz: c.tripleFarThresholdHz,
  };
}

/** The join engine options of the `scores` configuration. */
export function joinOptionsFromConfig(c: ScoresConfig): { windows: WindowTable; scores: ScoreSettings } {
  return { windows: windowsFromOverrides(c.windows), scores: scoreSettingsFromConfig(c) };
}
