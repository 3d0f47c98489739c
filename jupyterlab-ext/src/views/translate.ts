import { type Translate, untranslated } from '@emkit/shared';
import type { TranslationBundle } from '@jupyterlab/translation';

/**
 * The shared views' translator: JupyterLab's catalog looks the text up (its msgids are the
 * views' English texts, `{0}` placeholders included) and the placeholders are filled after.
 */
export function viewTranslator(trans: TranslationBundle): Translate {
  return (text, ...args) => untranslated(trans.__(text), ...args);
}
