import {
  describePairProblem,
  EarlyStopError,
  type EarlyStopping,
  NAME_PATTERN,
  type PairKind,
  pairsProblem,
  parseEarlyStop,
  parsePairs,
} from '@emkit/shared';
import * as vscode from 'vscode';

const NAME = new RegExp(NAME_PATTERN);

/** An input box that says what is wrong while the user types; undefined when cancelled. */
export async function ask(title: string, value: string, validate: (text: string) => string | undefined, prompt?: string) {
  return vscode.window.showInputBox({
    title,
    value,
    prompt,
    validateInput: (text) => validate(text.trim()) ?? null,
    ignoreFocusOut: true,
  });
}

export const nameRule = (text: string) =>
  NAME.test(text) ? undefined : vscode.l10n.t('Lower-case letters, digits, "-" and "_", starting with a letter or digit.');

/** The shared key=value rule's problem with the text, in VS Code's language (its texts are in the l10n bundle). */
export const pairsRule = (kind: PairKind) => (text: string) => {
  const problem = pairsProblem(text, kind);
  return problem ? describePairProblem(problem, (message, ...args) => vscode.l10n.t(message, ...args)) : undefined;
};

/** `key=value` pairs asked for in one box (separated by spaces, quoted when a value has spaces); undefined when cancelled. */
export async function askPairs(title: string, value: string, kind: PairKind, prompt: string) {
  const text = await ask(title, value, pairsRule(kind), prompt);
  return text === undefined ? undefined : parsePairs(text, kind);
}

/** The shared early-stopping rule's problem with the text (empty is fine: none), in VS Code's language. */
export const earlyStopRule = (text: string) => {
  if (!text) return undefined;
  try {
    parseEarlyStop(text, (message, ...args) => vscode.l10n.t(message, ...args));
    return undefined;
  } catch (error) {
    if (error instanceof EarlyStopError) return error.message;
    throw error;
  }
};

/** An early-stopping rule asked for in one box (`val_loss:min:5`); null when left empty, undefined when cancelled. */
export async function askEarlyStop(title: string, value: string): Promise<EarlyStopping | null | undefined> {
  const text = await ask(
    title,
    value,
    earlyStopRule,
    vscode.l10n.t(
      'Early stopping as metric:min|max:patience[:minDelta], e.g. val_loss:min:5: the training ends (COMPLETE) when the metric has not improved for that many points. Empty: none.',
    ),
  );
  if (text === undefined) return undefined;
  return text.trim() ? parseEarlyStop(text) : null;
}
