/**
 * The provenance of a coincidence's figures on the trigger page: the structured sections of
 * src/join/explain.ts (the same inputs, formula, intermediates and tier rule that
 * `coincide explain` prints), one heading and list per section.
 */
import type { Coincidence } from '../src/join/coincidence.ts';
import { explainCoincidence, type Explanation } from '../src/join/explain.ts';
import { el } from './dom.ts';
import { provenanceWords } from './format.ts';
import type { CoincidenceLike } from './model.ts';

/**
 * The explanation of a record as the API serves it (a stored Coincidence), or undefined when
 * the record lacks what explain.ts reads (a record of an older format).
 */
export function explanationOf(c: CoincidenceLike): Explanation | undefined {
  try {
    return explainCoincidence(c as unknown as Coincidence);
  } catch {
    return undefined;
  }
}

export function explanationView(c: CoincidenceLike): HTMLElement {
  const explanation = explanationOf(c);
  if (!explanation) return el('p', { class: 'provenance' }, provenanceWords(c));
  return el(
    'div',
    { class: 'explanation' },
    ...explanation.sections.map((section) =>
      el(
        'section',
        { class: 'explain' },
        el('h4', {}, section.heading),
        el('ul', {}, ...section.lines.map((line) => el('li', {}, line))),
      ),
    ),
  );
}
