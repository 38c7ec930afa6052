// The fuzzing subset of npm test: every parser that takes outside bytes (bench/fuzz/targets/).
import { FUZZ_TARGETS } from '../../bench/fuzz/targets/index.ts';
import { fuzzSubset } from './subset.ts';

fuzzSubset(
  'fuzzing every parser of outside bytes',
  FUZZ_TARGETS.map((t) => t.name),
);
