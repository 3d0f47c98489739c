import { type Translate, untranslated } from '../feeds/protocol.js';
import type { TrainingQuality } from '../schemas/training-quality.js';

/** The words of each flag, in English with `{0}` placeholders; the views' catalogs translate them (VIEW_STRINGS). */
export const QUALITY_STRINGS = {
  overfitting: 'Overfitting likely from step {0}: {1} has risen since while {2} kept falling.',
  plateau: 'Underfitting likely: {0} and {1} have been flat and high since step {2}.',
  nonFinite: '{0} is {1} at step {2}.',
  earlyStopped: 'Early stopped at step {0}; best {1}={2} at step {3}.',
} as const;

const short = (value: number) => String(Number(value.toPrecision(6)));

export interface QualityNote {
  kind: 'overfitting' | 'plateau' | 'nonFinite' | 'earlyStopped';
  /** a warning needs the user's attention; the early stop is information */
  level: 'warning' | 'info';
  text: string;
}

/** What a training's quality says, as sentences (for the view, the CLI and notifications). */
export function qualityNotes(quality: TrainingQuality | null | undefined, t: Translate = untranslated): QualityNote[] {
  if (!quality) return [];
  const notes: QualityNote[] = [];
  for (const bad of quality.nonFinite) {
    notes.push({ kind: 'nonFinite', level: 'warning', text: t(QUALITY_STRINGS.nonFinite, bad.tag, bad.value, bad.step) });
  }
  const over = quality.overfitting;
  if (over) {
    notes.push({
      kind: 'overfitting',
      level: 'warning',
      text: t(QUALITY_STRINGS.overfitting, over.fromStep, over.validation, over.train),
    });
  }
  const flat = quality.plateau;
  if (flat) {
    notes.push({
      kind: 'plateau',
      level: 'warning',
      text: t(QUALITY_STRINGS.plateau, flat.train, flat.validation, flat.fromStep),
    });
  }
  const early = quality.earlyStopped;
  if (early) {
    notes.push({
      kind: 'earlyStopped',
      level: 'info',
      text: t(QUALITY_STRINGS.earlyStopped, early.step, early.metric, short(early.best), early.bestStep),
    });
  }
  return notes;
}
