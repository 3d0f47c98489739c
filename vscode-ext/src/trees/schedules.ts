import { formatTime, runTone, type Schedule, scheduleInWords } from '@emkit/shared';
import * as vscode from 'vscode';
import { type Node, row, stateIcon, toneIcon } from './node.js';
import { ResourceTree } from './provider.js';

/** The schedule words' language: VS Code's display language when it is Korean, else English. */
export const scheduleLocale = (): 'en' | 'ko' => (vscode.env.language.startsWith('ko') ? 'ko' : 'en');

/** A schedule's row in a few words: when it runs next (or that it is paused) and how its last run went. */
export function scheduleDescription(schedule: Schedule): string {
  const parts: string[] = [];
  const next = schedule.nextRuns[0];
  if (schedule.state === 'PAUSED') parts.push(vscode.l10n.t('paused'));
  else if (next) parts.push(vscode.l10n.t('next {0}', formatTime(next)));
  if (schedule.lastRun) parts.push(vscode.l10n.t('run {0}: {1}', schedule.lastRun.number, schedule.lastRun.state));
  return parts.join(' · ');
}

/** A paused schedule shows so; an active one shows how its last run went (failed, going, fine). */
function scheduleIcon(schedule: Schedule): vscode.ThemeIcon {
  if (schedule.state === 'PAUSED') return stateIcon('STOPPED');
  const last = schedule.lastRun;
  if (!last) return stateIcon('ACTIVE');
  // a run going now spins, as a training starting does
  if (last.state === 'RUNNING' || last.state === 'QUEUED') return toneIcon('busy');
  return toneIcon(runTone(last.state));
}

/** Schedules with when they run (in words, in the tooltip), their next due time and their last run. */
export class SchedulesTree extends ResourceTree {
  protected readonly kinds = ['schedules'] as const;

  protected roots(): Node[] {
    return this.store.list('schedules').map((schedule) =>
      row({
        id: `schedule:${schedule.id}`,
        label: schedule.name,
        description: scheduleDescription(schedule),
        tooltip: [scheduleInWords(schedule, scheduleLocale()), schedule.reason].filter(Boolean).join('\n') || undefined,
        icon: scheduleIcon(schedule),
        contextValue: schedule.state === 'PAUSED' ? 'schedule.paused' : 'schedule.active',
        target: { kind: 'schedules', id: schedule.id, name: schedule.name },
      }),
    );
  }

  protected emptyText(): string {
    return vscode.l10n.t('No schedules yet — Schedule… a training, a recipe or a notebook.');
  }
}
