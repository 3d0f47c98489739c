import type { EvaluationCreate, EvaluationTask } from '../schemas/evaluations.js';
import { EVALUATION_TASKS } from '../schemas/evaluations.js';

/** What the editors' Evaluate… forms collect, as typed (every field text; empty: the bridge's default). */
export interface EvaluationForm {
  model: string;
  data: string;
  label?: string;
  /** feature columns, separated by commas or spaces */
  features?: string;
  /** '' (found by the runner) or a task */
  task?: string;
  threshold?: string;
  maxErrors?: string;
}

/** A number as typed, or the text itself when it isn't one: the bridge then refuses it naming the field. */
function numberOr(text: string): number | string {
  const value = Number(text);
  return text.trim() !== '' && Number.isFinite(value) ? value : text;
}

/**
 * The body of createEvaluation from a form, the same in both editors: empty fields left out
 * (the bridge's defaults apply), numbers as numbers. Nothing is judged here — the bridge
 * validates and its 400 names the field to fix, which the editors show as it is.
 */
export function evaluationBody(form: EvaluationForm): EvaluationCreate {
  const body: Record<string, unknown> = { model: form.model.trim(), data: form.data.trim() };
  const label = form.label?.trim();
  if (label) body.label = label;
  const features = (form.features ?? '').split(/[\s,]+/).filter(Boolean);
  if (features.length) body.features = features;
  const task = form.task?.trim();
  if (task) body.task = (EVALUATION_TASKS as readonly string[]).includes(task) ? (task as EvaluationTask) : task;
  if (form.threshold?.trim()) body.threshold = numberOr(form.threshold.trim());
  if (form.maxErrors?.trim()) body.maxErrors = numberOr(form.maxErrors.trim());
  return body as EvaluationCreate;
}
