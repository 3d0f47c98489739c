import { notebookParameterEntries, notebookParameters } from '@emkit/shared';
import * as vscode from 'vscode';
import type { CommandArgs } from './context.js';

/** The file a command was given: the Uri VS Code passes (explorer, editor title), or `args.uri`. */
const givenUri = (args: CommandArgs): vscode.Uri | undefined =>
  (args as unknown) instanceof vscode.Uri ? (args as unknown as vscode.Uri) : (args.uri as vscode.Uri | undefined);

/** The notebook or script to submit: the one given (explorer), else the active notebook or .py editor, saved. */
export async function sourceFile(
  args: CommandArgs,
): Promise<{ uri: vscode.Uri; parameters: Record<string, string> } | undefined> {
  const given = givenUri(args);
  const notebook = vscode.window.activeNotebookEditor?.notebook;
  const editor = vscode.window.activeTextEditor?.document;
  let uri = given;
  if (!uri && notebook?.uri.fsPath.endsWith('.ipynb')) {
    if (notebook.isDirty) await notebook.save();
    uri = notebook.uri;
  } else if (!uri && editor && /\.(py|ipynb)$/.test(editor.uri.fsPath)) {
    if (editor.isDirty) await editor.save();
    uri = editor.uri;
  }
  if (!uri) return undefined;
  let parameters: Record<string, string> = {};
  if (uri.fsPath.endsWith('.ipynb')) {
    try {
      parameters = notebookParameters(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
    } catch {
      // not JSON (yet): no defaults to offer
    }
  }
  return { uri, parameters };
}

/** A notebook's parameters cell as its assignments (a quoted value stays text), for the Tune form's pre-fill; none for a script. */
export async function parameterEntries(uri: vscode.Uri): Promise<{ name: string; value: string; quoted: boolean }[]> {
  if (!uri.fsPath.endsWith('.ipynb')) return [];
  try {
    return notebookParameterEntries(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
  } catch {
    // not JSON (yet): nothing to pre-fill
    return [];
  }
}
