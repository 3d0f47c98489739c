import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Model } from '@emkit/shared';
import type { InProcessBridge } from './in-process.js';

/**
 * A model version that needs no library to load: a custom predict.py giving its input back, in `folder` of the
 * test's work folder, registered through the API as a user does. Its artifact folder comes back with it.
 */
export async function createEchoModel(
  bridge: InProcessBridge,
  name: string,
  folder = 'artifact',
): Promise<{ model: Model; artifact: string }> {
  const artifact = join(bridge.work, folder);
  mkdirSync(artifact, { recursive: true });
  writeFileSync(join(artifact, 'predict.py'), 'def predict(x):\n    return x\n');
  const created = await bridge.call<Model>('POST', '/api/v1/models', {
    name,
    artifactPath: artifact,
    framework: 'custom',
    frameworkVersion: '1',
  });
  if (created.status !== 201) throw new Error(`model ${name} was refused: ${created.status} ${JSON.stringify(created.body)}`);
  return { model: created.body, artifact };
}
