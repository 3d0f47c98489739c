import { formatTime, type Schedule } from '@emkit/shared';
import type { TranslationBundle } from '@jupyterlab/translation';
import { addIcon, deleteIcon, runIcon, stopIcon } from '@jupyterlab/ui-components';
import { CommandIds } from '../commands.js';
import { scheduleIcon } from '../icons.js';
import { Badge, IconButton, RowName, Section } from './parts.js';
import type { Run } from './SidebarView.js';

/** Schedules by name: when each is next due and how its last run went. A click opens the schedule's view. */
export function SchedulesSection({
  schedules,
  trans,
  run,
}: {
  schedules: readonly Schedule[];
  trans: TranslationBundle;
  run: Run;
}) {
  return (
    <Section
      name="schedules"
      title={trans.__('Schedules')}
      count={schedules.length}
      empty={trans.__('No schedules yet. Schedule… a training, a recipe or the notebook you have open.')}
      actions={<IconButton icon={addIcon} label={trans.__('New Schedule…')} onClick={() => run(CommandIds.newSchedule)} />}
    >
      {schedules.map((schedule) => {
        const next = schedule.nextRuns[0];
        const last = schedule.lastRun;
        return (
          <li key={schedule.id} className="emkit-Item" data-emkit-kind="schedule" data-emkit-name={schedule.name}>
            <div className="emkit-Row">
              <RowName name={schedule.name} onOpen={() => run(CommandIds.openSchedule, schedule.id, { name: schedule.name })} />
              <Badge state={schedule.state} title={schedule.reason ?? schedule.state} />
              <span className="emkit-Row-detail" data-emkit-next="">
                {next ? trans.__('next %1', formatTime(next)) : ''}
              </span>
              {last && <Badge state={last.state} title={last.reason ?? trans.__('run %1: %2', last.number, last.state)} />}
              <span className="emkit-Row-actions">
                <IconButton
                  icon={scheduleIcon}
                  label={trans.__('Run %1 now', schedule.name)}
                  onClick={() => run(CommandIds.runSchedule, schedule.id)}
                />
                {schedule.state === 'ACTIVE' ? (
                  <IconButton
                    icon={stopIcon}
                    label={trans.__('Pause %1', schedule.name)}
                    onClick={() => run(CommandIds.pauseSchedule, schedule.id)}
                  />
                ) : (
                  <IconButton
                    icon={runIcon}
                    label={trans.__('Resume %1', schedule.name)}
                    onClick={() => run(CommandIds.resumeSchedule, schedule.id)}
                  />
                )}
                <IconButton
                  icon={deleteIcon}
                  label={trans.__('Delete schedule %1', schedule.name)}
                  onClick={() => run(CommandIds.deleteSchedule, schedule.id)}
                />
              </span>
            </div>
          </li>
        );
      })}
    </Section>
  );
}
