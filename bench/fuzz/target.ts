/**
 * What a fuzz target is: one parser that takes outside bytes, its inputs and its properties.
 *
 * A target's `setup` loads its seeds (the real samples of ../shared/upstream-samples when they
 * are there, the project's own fixtures always) and starts whatever it needs (a real HTTP
 * server on port 0 for the HTTP target); `arbitrary` generates cases (fast-check generation of
 * the format plus mutation of the seeds); `run` feeds one case to the parser and returns when
 * the parser accepted it. The engine classifies what `run` throws:
 *   - a CoincideError with a code listed in src/errors.ts: a refusal, counted by code;
 *   - a FuzzFinding (the target saw a property broken: an HTTP 500, a refusal without a code,
 *     two parsers that disagree): a finding;
 *   - anything else (TypeError, RangeError, an error of a library, a stack overflow): a finding.
 */
import type fc from 'fast-check';

export interface FuzzSetupOptions {
  /** Use ../shared/upstream-samples as seeds (false when absent outside CI: the caller says so). */
  sharedSeeds: boolean;
}

export interface FuzzInstance<Input> {
  arbitrary: fc.Arbitrary<Input>;
  /** Feeds one case to the parser; resolves (or returns) when it was accepted. */
  run(input: Input): void | Promise<void>;
  /** A printable form of a case, to reproduce a finding (base64 of bytes, a JSON text...). */
  show(input: Input): string;
  /** Number of seeds loaded (reported), by origin. */
  seedCounts: Record<string, number>;
  close?(): Promise<void>;
}

export interface FuzzTarget<Input = unknown> {
  name: string;
  /** The modules under test, for the report. */
  covers: string;
  setup(options: FuzzSetupOptions): Promise<FuzzInstance<Input>>;
}

/** A property the target checks itself, broken (e.g. an HTTP 500, an error reply with no code). */
export class FuzzFinding extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FuzzFinding';
  }
}

/**
 * A refusal by a layer below the project's code that has no code of src/errors.ts but a stable
 * label (node's HTTP parser answering a non-HTTP request line with a bare 400): counted under
 * `label`, not a finding.
 */
export class FuzzRefusal extends Error {
  constructor(readonly label: string) {
    super(label);
    this.name = 'FuzzRefusal';
  }
}
