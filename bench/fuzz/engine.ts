/**
 * The fuzz loop: draws cases from a target's fast-check arbitrary in seeded batches, runs each
 * one, classifies the outcome (accepted, refused with a code, finding) and measures the time of
 * every case and the memory of the thread.
 *
 * Reproduction: case k of a run with seed S is element (k mod BATCH) of
 * `fc.sample(arbitrary, { seed: S + floor(k / BATCH), numRuns: BATCH })`; a finding records its
 * case number and the printable input.
 */
import { performance } from 'node:perf_hooks';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { ERROR_CODES, isCoincideError } from '../../src/errors.ts';
import { FuzzFinding, FuzzRefusal, type FuzzInstance } from './target.ts';

export const BATCH = 500;
/** A finding keeps this many characters of its input. */
const SHOWN_INPUT_CHARS = 4000;

export interface Finding {
  caseIndex: number;
  kind: 'crash' | 'uncoded' | 'property' | 'slow' | 'hang' | 'memory';
  message: string;
  input: string;
}

export interface FuzzStats {
  cases: number;
  accepted: number;
  refusals: Record<string, number>;
  findings: Finding[];
  /** Findings beyond those kept (the same bug tends to repeat). */
  findingsDropped: number;
  maxCaseMs: number;
  maxCaseIndex: number;
  totalMs: number;
  /** Largest V8 heap seen (sampled), bytes. */
  maxHeapBytes: number;
  /** Heap after a full GC at the start and at the end of the run, bytes. */
  heapAfterGcStartBytes: number;
  heapAfterGcEndBytes: number;
}

export interface EngineOptions {
  /** Runs cases firstCase (default 0) to cases - 1. */
  cases: number;
  firstCase?: number;
  seed: number;
  /** A case slower than this is a finding (not used by the npm-test subset: machines are loaded). */
  slowCaseMs?: number;
  maxFindings?: number;
  /** Called after each batch with the stats so far (the worker posts them: a thread killed later keeps its count). */
  onBatchEnd?: (stats: FuzzStats) => void;
  /** Called before each case (the worker publishes it for its watchdog). */
  onCaseStart?: (caseIndex: number, show: () => string) => void;
}

const KNOWN_CODES = new Set(Object.keys(ERROR_CODES));

let gcFunction: (() => void) | undefined;
function fullGc(): void {
  if (gcFunction === undefined) {
    setFlagsFromString('--expose_gc');
    gcFunction = runInNewContext('gc') as () => void;
  }
  gcFunction();
}

function firstLine(error: unknown): string {
  if (error instanceof Error) {
    const frame = error.stack?.split('\n').find((line) => line.trim().startsWith('at ')) ?? '';
    return `${error.name}: ${error.message.split('\n')[0] ?? ''} ${frame.trim()}`;
  }
  return `non-Error thrown: ${String(error)}`;
}

/** The outcome of one case: 'ok', a refusal code, or a finding (kind and message). */
export function classify(error: unknown): { code: string } | { kind: Finding['kind']; message: string } {
  if (error instanceof FuzzFinding) return { kind: 'property', message: error.message };
  if (error instanceof FuzzRefusal) return { code: error.label };
  if (isCoincideError(error)) {
    if (KNOWN_CODES.has(error.code)) return { code: error.code };
    return { kind: 'uncoded', message: `unknown code ${error.code}: ${error.message}` };
  }
  return { kind: 'crash', message: firstLine(error) };
}

export function emptyFuzzStats(): FuzzStats {
  return {
    cases: 0,
    accepted: 0,
    refusals: {},
    findings: [],
    findingsDropped: 0,
    maxCaseMs: 0,
    maxCaseIndex: -1,
    totalMs: 0,
    maxHeapBytes: 0,
    heapAfterGcStartBytes: 0,
    heapAfterGcEndBytes: 0,
  };
}

/** The inputs of one batch of a run (always BATCH of them, so that case numbers are stable). */
export function sampleBatch<Input>(instance: FuzzInstance<Input>, seed: number, batch: number): Input[] {
  return fc.sample(instance.arbitrary, { seed: seed + batch, numRuns: BATCH });
}

function isPromise(value: unknown): value is Promise<unknown> {
  return (
    value !== null && typeof value === 'object' && typeof (value as Promise<unknown>).then === 'function'
  );
}

export async function runEngine<Input>(
  instance: FuzzInstance<Input>,
  options: EngineOptions,
): Promise<FuzzStats> {
  const maxFindings = options.maxFindings ?? 20;
  fullGc();
  const stats = emptyFuzzStats();
  stats.heapAfterGcStartBytes = getHeapStatistics().used_heap_size;
  const addFinding = (finding: Finding): void => {
    if (stats.findings.length < maxFindings) stats.findings.push(finding);
    else stats.findingsDropped += 1;
  };
  const started = performance.now();
  const firstCase = options.firstCase ?? 0;
  for (let batchStart = firstCase - (firstCase % BATCH); batchStart < options.cases; batchStart += BATCH) {
    const inputs = sampleBatch(instance, options.seed, batchStart / BATCH);
    for (
      let k = Math.max(0, firstCase - batchStart);
      k < inputs.length && batchStart + k < options.cases;
      k++
    ) {
      const input = inputs[k] as Input;
      const caseIndex = batchStart + k;
      const show = (): string => instance.show(input).slice(0, SHOWN_INPUT_CHARS);
      options.onCaseStart?.(caseIndex, show);
      const t0 = performance.now();
      let outcome: ReturnType<typeof classify> | undefined;
      try {
        const result = instance.run(input);
        if (isPromise(result)) await result;
      } catch (error) {
        outcome = classify(error);
      }
      const caseMs = performance.now() - t0;
      stats.cases += 1;
      if (caseMs > stats.maxCaseMs) {
        stats.maxCaseMs = caseMs;
        stats.maxCaseIndex = caseIndex;
      }
      if (outcome === undefined) stats.accepted += 1;
      else if ('code' in outcome) stats.refusals[outcome.code] = (stats.refusals[outcome.code] ?? 0) + 1;
      else addFinding({ caseIndex, kind: outcome.kind, message: outcome.message, input: show() });
      if (options.slowCaseMs !== undefined && caseMs > options.slowCaseMs) {
        addFinding({ caseIndex, kind: 'slow', message: `case took ${caseMs.toFixed(0)} ms`, input: show() });
      }
      inputs[k] = undefined as Input; // let a large input go before the batch ends
    }
    const heap = getHeapStatistics().used_heap_size;
    if (heap > stats.maxHeapBytes) stats.maxHeapBytes = heap;
    stats.totalMs = performance.now() - started;
    options.onBatchEnd?.(stats);
  }
  stats.totalMs = performance.now() - started;
  fullGc();
  stats.heapAfterGcEndBytes = getHeapStatistics().used_heap_size;
  return stats;
}
