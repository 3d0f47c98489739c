import { type Experiment, formatDuration, isSettled, type Training, trainingSeconds, trainingStates } from '@emkit/shared';
import type { TranslationBundle } from '@jupyterlab/translation';
import { addIcon, deleteIcon, lineFormIcon, stopIcon, tableRowsIcon } from '@jupyterlab/ui-components';
import { CommandIds } from '../commands.js';
import { scheduleIcon } from '../icons.js';
import { useNow } from './hooks.js';
import { Badge, IconButton, Row, RowName, Section } from './parts.js';
import type { Run } from './SidebarView.js';

function TrainingRow({ training, now, trans, run }: { training: Training; now: number; trans: TranslationBundle; run: Run }) {
  const seconds = trainingSeconds(training, now);
  const settled = isSettled(trainingStates, training.state);
  return (
    <li className="emkit-Item" data-emkit-kind="training" data-emkit-name={training.name}>
      <div className="emkit-Row">
        <RowName name={training.name} onOpen={() => run(CommandIds.openTraining, training.id)} />
        <Badge state={training.state} title={training.stateReason ?? training.state} />
        <span className="emkit-Row-detail" data-emkit-duration="">
          {seconds === null ? '' : formatDuration(seconds)}
        </span>
        <span className="emkit-Row-actions">
          {!settled && (
            <IconButton
              icon={stopIcon}
              label={trans.__('Stop training %1', training.name)}
              onClick={() => run(CommandIds.stopTraining, training.id)}
            />
          )}
          {training.state === 'COMPLETE' && (
            <IconButton
              icon={addIcon}
              label={trans.__('Create a model from %1', training.name)}
              onClick={() => run(CommandIds.createModel, training.id)}
            />
          )}
          <IconButton
            icon={scheduleIcon}
            label={trans.__('Schedule %1…', training.name)}
            onClick={() => run(CommandIds.newSchedule, undefined, { training: training.id })}
          />
          <IconButton
            icon={lineFormIcon}
            label={trans.__('TensorBoard for %1', training.name)}
            onClick={() => run(CommandIds.openTensorboard, training.id)}
          />
          <IconButton
            icon={deleteIcon}
            label={trans.__('Delete training %1', training.name)}
            onClick={() => run(CommandIds.deleteTraining, training.id)}
          />
        </span>
      </div>
    </li>
  );
}

export function ExperimentsSection({
  experiments,
  trainings,
  trans,
  run,
}: {
  experiments: readonly Experiment[];
  trainings: readonly Training[];
  trans: TranslationBundle;
  run: Run;
}) {
  const now = useNow(trainings.some((t) => t.startedAt && !t.endedAt));
  return (
    <Section
      name="experiments"
      title={trans.__('Experiments')}
      count={experiments.length}
      empty={trans.__('No experiments yet. Submitting a training makes one, or run `emkit experiment create NAME`.')}
    >
      {experiments.map((experiment) => {
        const own = trainings.filter((t) => t.experimentId === experiment.id);
        return (
          <Row
            key={experiment.id}
            kind="experiment"
            name={experiment.name}
            detail={trans._n('%1 training', '%1 trainings', own.length)}
            actions={
              <>
                <IconButton
                  icon={tableRowsIcon}
                  label={trans.__('Compare the trainings of %1', experiment.name)}
                  onClick={() => run(CommandIds.compareExperiment, experiment.id)}
                />
                <IconButton
                  icon={lineFormIcon}
                  label={trans.__('TensorBoard for %1', experiment.name)}
                  onClick={() => run(CommandIds.openTensorboard, undefined, { experiment: experiment.id })}
                />
                <IconButton
                  icon={deleteIcon}
                  label={trans.__('Delete experiment %1', experiment.name)}
                  onClick={() => run(CommandIds.deleteExperiment, experiment.id)}
                />
              </>
            }
          >
            {own.length > 0 && (
              <ul className="emkit-List emkit-List-nested">
                {own.map((training) => (
                  <TrainingRow key={training.id} training={training} now={now} trans={trans} run={run} />
                ))}
              </ul>
            )}
          </Row>
        );
      })}
    </Section>
  );
}
