import type { Model } from '@emkit/shared';
import type { TranslationBundle } from '@jupyterlab/translation';
import {
  addIcon,
  codeCheckIcon,
  deleteIcon,
  launchIcon,
  runIcon,
  stopIcon,
  tableRowsIcon,
  tagIcon,
} from '@jupyterlab/ui-components';
import { CommandIds } from '../commands.js';
import { IconButton, Row, Section } from './parts.js';
import type { Run } from './SidebarView.js';

/** Models by name, each with its versions newest first and the aliases that point at them. */
export function ModelsSection({ models, trans, run }: { models: readonly Model[]; trans: TranslationBundle; run: Run }) {
  const names = [...new Set(models.map((m) => m.name))];
  return (
    <Section
      name="models"
      title={trans.__('Models')}
      count={names.length}
      empty={trans.__('No models yet. Make one from a COMPLETE training with `emkit model create NAME --training TRAINING`.')}
      actions={
        <IconButton icon={addIcon} label={trans.__('New Model (No Code)…')} onClick={() => run(CommandIds.newModelNoCode)} />
      }
    >
      {names.map((name) => {
        const versions = models.filter((m) => m.name === name);
        return (
          <Row
            key={name}
            kind="model"
            name={name}
            onOpen={() => run(CommandIds.openModel, undefined, { name })}
            detail={trans._n('%1 version', '%1 versions', versions.length)}
          >
            <ul className="emkit-List emkit-List-nested">
              {versions.map((model) => (
                <Row
                  key={model.id}
                  kind="model-version"
                  name={`${model.name}:${model.version}`}
                  state={model.state}
                  onOpen={() => run(CommandIds.openModel, model.id, { name: model.name })}
                  detail={
                    <>
                      {model.aliases.map((alias) => (
                        <span key={alias} className="emkit-Chip" title={trans.__('alias')}>
                          @{alias}
                        </span>
                      ))}
                      <span className="emkit-Row-framework">{model.framework}</span>
                    </>
                  }
                  actions={
                    <>
                      <IconButton
                        icon={codeCheckIcon}
                        label={trans.__('Evaluate %1:%2', model.name, model.version)}
                        onClick={() => run(CommandIds.evaluateModel, model.id)}
                      />
                      <IconButton
                        icon={tableRowsIcon}
                        label={trans.__('Score a dataset with %1:%2…', model.name, model.version)}
                        onClick={() => run(CommandIds.scoreDataset, model.id)}
                      />
                      <IconButton
                        icon={tagIcon}
                        label={trans.__('Promote %1:%2', model.name, model.version)}
                        onClick={() => run(CommandIds.promoteModel, model.id)}
                      />
                      <IconButton
                        icon={launchIcon}
                        label={trans.__('Deploy %1:%2 as an endpoint', model.name, model.version)}
                        onClick={() => run(CommandIds.createEndpoint, undefined, { model: model.id })}
                      />
                      {model.state === 'ACTIVE' ? (
                        <IconButton
                          icon={stopIcon}
                          label={trans.__('Deactivate %1:%2', model.name, model.version)}
                          onClick={() => run(CommandIds.deactivateModel, model.id)}
                        />
                      ) : (
                        <IconButton
                          icon={runIcon}
                          label={trans.__('Activate %1:%2', model.name, model.version)}
                          onClick={() => run(CommandIds.activateModel, model.id)}
                        />
                      )}
                      <IconButton
                        icon={deleteIcon}
                        label={trans.__('Delete model version %1', `${model.name}:${model.version}`)}
                        onClick={() => run(CommandIds.deleteModel, model.id)}
                      />
                    </>
                  }
                />
              ))}
            </ul>
          </Row>
        );
      })}
    </Section>
  );
}
