import { secretValues } from './secrets.js';

/**
 * Variables that hold credentials of the bridge itself, or a Python setting of the bridge
 * that must not reach a process running in another environment.
 */
const BRIDGE_ONLY = ['EMKIT_TOKEN', 'EMKIT_URL'];

/**
 * The environment of every process the bridge starts (trainings, model workers,
 * TensorBoard, environment builds): the bridge's own, less its credentials — `EMKIT_TOKEN`,
 * `EMKIT_URL`, and any variable whose value holds a secret the bridge knows (a URL with the
 * token in it, say) — plus `extra`. A training is user code: it reaches the bridge, if it
 * must, the way any other local program does (runtime.json in the home), not by inheritance.
 */
export function childEnv(extra: NodeJS.ProcessEnv = {}, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const secrets = secretValues();
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined || BRIDGE_ONLY.includes(name)) continue;
    if (secrets.some((secret) => value.includes(secret))) continue;
    env[name] = value;
  }
  return { ...env, ...extra };
}
