// Writes server-bridge/python/src/emkit/states.py from the state machines in shared/src/states.ts, so the Python
// client waits on the bridge's own lists. Run after changing a machine (and `npx tsc -b`): a test fails until then.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PYTHON_STATES_FILE = join(
  dirname(dirname(fileURLToPath(import.meta.url))),
  'server-bridge',
  'python',
  'src',
  'emkit',
  'states.py',
);

/** `NAME = (...)`, one state a line when it would not fit in 88 columns, as ruff formats it. */
function assignment(name, states) {
  const quoted = states.map((s) => JSON.stringify(s));
  const line = `${name} = (${quoted.join(', ')}${quoted.length === 1 ? ',' : ''})`;
  return line.length <= 88 ? line : `${name} = (\n${quoted.map((q) => `    ${q},\n`).join('')})`;
}

/** The module's text, from `machines`: resource name (upper case) → its StateMachine. */
export function renderPythonStates(machines) {
  const lines = [
    '"""The bridge\'s states, generated from shared/src/states.ts by scripts/python-states.mjs: don\'t edit.',
    '',
    "For each resource: every state, the settled ones (they won't change by themselves), and the busy",
    'ones (the rest: a wait goes on while the state is one of these).',
    '"""',
    '',
  ];
  for (const [name, machine] of Object.entries(machines)) {
    const all = Object.keys(machine.transitions);
    lines.push(assignment(`${name}_STATES`, all));
    lines.push(assignment(`SETTLED_${name}_STATES`, [...machine.settled]));
    lines.push(
      assignment(
        `BUSY_${name}_STATES`,
        all.filter((s) => !machine.settled.includes(s)),
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

export function bridgeMachines(states) {
  return {
    ENVIRONMENT: states.environmentStates,
    TRAINING: states.trainingStates,
    ENDPOINT: states.endpointStates,
    STAGE: states.stageStates,
    TENSORBOARD: states.tensorboardStates,
    EVALUATION: states.evaluationStates,
    CLUSTER: states.clusterStates,
    BATCH_INFERENCE: states.batchInferenceStates,
    TUNING: states.tuningStates,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const states = await import('../shared/dist/states.js');
  writeFileSync(PYTHON_STATES_FILE, renderPythonStates(bridgeMachines(states)));
  process.stdout.write(`${PYTHON_STATES_FILE}\n`);
}
