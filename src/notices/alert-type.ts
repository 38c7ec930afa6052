/**
 * Publisher alert-type words -> Notice alertType.
 *
 * GCN unified JSON: initial, subsequent (a recurrent detection of a known source, published
 * with a new id, so the first version of its own trigger: initial), update, retraction.
 * LVK: EarlyWarning and Preliminary -> preliminary, Initial, Update, Retraction.
 */
import type { AlertType } from './notice.ts';

const WORDS: Readonly<Record<string, AlertType>> = {
  earlywarning: 'preliminary',
  early_warning: 'preliminary',
  preliminary: 'preliminary',
  initial: 'initial',
  subsequent: 'initial',
  update: 'update',
  retraction: 'retraction',
};

export function alertTypeFromWord(word: string | undefined): AlertType | undefined {
  if (word === undefined) return undefined;
  return WORDS[word.trim().toLowerCase().replace(/[\s-]/g, '')];
}
