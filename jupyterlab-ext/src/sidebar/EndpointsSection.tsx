import { type Endpoint, type EndpointStage, stageHealth, stateTone } from '@emkit/shared';
import type { TranslationBundle } from '@jupyterlab/translation';
import { deleteIcon } from '@jupyterlab/ui-components';
import { CommandIds } from '../commands.js';
import { alertIcon } from '../icons.js';
import { Badge, IconButton, Row, Section } from './parts.js';
import type { Run } from './SidebarView.js';

function StageRow({ stage, trans }: { stage: EndpointStage; trans: TranslationBundle }) {
  const health = stageHealth(stage);
  return (
    <li className="emkit-Item" data-emkit-kind="stage" data-emkit-name={stage.name}>
      <div className="emkit-Row">
        <span className="emkit-Row-name" title={stage.name}>
          {stage.name}
        </span>
        {stage.default && (
          <span className="emkit-Chip emkit-Chip-default" title={trans.__('Requests to the endpoint go to this stage')}>
            {trans.__('default')}
          </span>
        )}
        <Badge state={stage.state} title={stage.stateReason ?? stage.state} />
        <span className="emkit-Row-detail">
          {stage.model.name}:{stage.model.version}
        </span>
      </div>
      <div className="emkit-Health" data-emkit-health={health.tone}>
        {[...stage.instances]
          .sort((a, b) => a.index - b.index)
          .map((instance) => (
            <span
              key={instance.index}
              className={`emkit-Dot emkit-Dot-${stateTone(instance.state)}`}
              title={trans.__('instance %1: %2, %3 restarts', instance.index, instance.state, instance.restarts)}
            />
          ))}
        <span className={`emkit-Health-text emkit-Tone-${health.tone}`}>
          {trans.__('%1/%2 ready', health.ready, health.total)}
        </span>
      </div>
    </li>
  );
}

export function EndpointsSection({
  endpoints,
  trans,
  run,
}: {
  endpoints: readonly Endpoint[];
  trans: TranslationBundle;
  run: Run;
}) {
  return (
    <Section
      name="endpoints"
      title={trans.__('Endpoints')}
      count={endpoints.length}
      empty={trans.__('No endpoints yet. Deploy a model with `emkit endpoint create NAME --model MODEL`.')}
    >
      {endpoints.map((endpoint) => (
        <Row
          key={endpoint.id}
          kind="endpoint"
          name={endpoint.name}
          onOpen={() => run(CommandIds.openEndpoint, endpoint.id)}
          state={endpoint.state}
          actions={
            <>
              <IconButton
                icon={alertIcon}
                label={trans.__('Add Alert on %1…', endpoint.name)}
                onClick={() => run(CommandIds.addAlert, endpoint.id)}
              />
              <IconButton
                icon={deleteIcon}
                label={trans.__('Delete endpoint %1', endpoint.name)}
                onClick={() => run(CommandIds.deleteEndpoint, endpoint.id)}
              />
            </>
          }
        >
          <ul className="emkit-List emkit-List-nested">
            {[...endpoint.stages]
              .sort((a, b) => Number(b.default) - Number(a.default) || a.name.localeCompare(b.name))
              .map((stage) => (
                <StageRow key={stage.id} stage={stage} trans={trans} />
              ))}
          </ul>
        </Row>
      ))}
    </Section>
  );
}
