/**
 * The notebook the editor tests submit: a `parameters` cell (C, steps) the forms must offer,
 * then a scikit-learn fit per step that logs a loss metric, prints `<label> {step} C={C}`
 * and saves the model in EM_MODEL_DIR.
 */
export function irisNotebook(label: string, steps: number) {
  const code = (source: string, tags: string[] = []) => ({
    cell_type: 'code',
    metadata: tags.length ? { tags } : {},
    source,
    outputs: [],
    execution_count: null,
  });
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    cells: [
      code(`C = 1.0\nsteps = ${steps}`, ['parameters']),
      code(
        [
          'import os, joblib',
          'from sklearn.datasets import load_iris',
          'from sklearn.linear_model import LogisticRegression',
          'from sklearn.metrics import log_loss',
          'from emkit.tracking import log_metric',
          'X, y = load_iris(return_X_y=True)',
          'for step in range(1, steps + 1):',
          '    model = LogisticRegression(C=C, max_iter=step * 20).fit(X, y)',
          '    loss = log_loss(y, model.predict_proba(X))',
          '    log_metric("loss", loss, step)',
          `    print(f"${label} {step} C={C} loss={loss:.4f}", flush=True)`,
          'joblib.dump(model, os.path.join(os.environ["EM_MODEL_DIR"], "model.joblib"))',
        ].join('\n'),
      ),
    ],
  };
}
