import { afterEach, describe, expect, it } from 'vitest';
import { childEnv } from './child-env.js';
import { addSecret, clearSecrets } from './secrets.js';

afterEach(() => clearSecrets());

describe('childEnv', () => {
  it("drops the bridge's credentials and any variable that carries a secret, keeps the rest", () => {
    addSecret('s3cret-token-value');
    const env = childEnv(
      { PYTHONPATH: '/emkit' },
      {
        PATH: '/usr/bin',
        HF_TOKEN: 'user-own',
        EMKIT_TOKEN: 'whatever',
        EMKIT_URL: 'http://127.0.0.1:1',
        SOME_URL: 'http://127.0.0.1:1/?token=s3cret-token-value',
      },
    );
    expect(env).toEqual({ PATH: '/usr/bin', HF_TOKEN: 'user-own', PYTHONPATH: '/emkit' });
  });
});
