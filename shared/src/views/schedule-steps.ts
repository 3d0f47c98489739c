import type { ScheduleResourceType, Translate } from '../feeds/protocol.js';
import type { ScheduleStep } from '../schemas/schedules.js';

/** An id as the views show it: a generated UUID by its first 8 characters (the whole is in its title), any other as it is. */
export function shortId(id: string): string {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id) ? id.slice(0, 8) : id;
}

/** A schedule's step in words, as the schedule view and the editor's summary say it. */
export function stepInWords(step: ScheduleStep, t: Translate): string {
  switch (step.kind) {
    case 'training':
      if (step.path !== undefined) return t('Run {0} as saved', step.path);
      return step.source === 'latest'
        ? t('Retrain {0} from the notebook as saved', shortId(step.training ?? ''))
        : t('Retrain {0} from its snapshot', shortId(step.training ?? ''));
    case 'recipe': {
      const data = Object.entries(step.datasets)
        .map(([name, ref]) => `${name}=${ref}`)
        .join(', ');
      return t('Train recipe {0} on {1}', step.recipe, data || t('none'));
    }
    case 'evaluation':
      return t('Evaluate {0} on {1}', step.model ?? t('the version made'), step.data);
    case 'promote':
      return t('Promote to {0} if {1} {2} {3}', step.alias, step.metric, step.comparison ?? '>=', String(step.threshold));
    case 'batch':
      return t('Score {0} with {1}', step.batch.input, step.batch.model ?? t('the version made'));
  }
}

/** What a run's step made, as its link says it. */
export function resourceInWords(type: ScheduleResourceType, t: Translate): string {
  switch (type) {
    case 'trainings':
      return t('training');
    case 'models':
      return t('model version');
    case 'evaluations':
      return t('evaluation');
    case 'batch-inferences':
      return t('batch job');
  }
}
