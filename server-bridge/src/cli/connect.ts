import { ApiError, EmkitClient } from '@emkit/shared';
import { defaultHome, homePaths } from '../runtime/paths.js';
import { readRuntimeFile } from '../runtime/runtime-file.js';

export interface ConnectionOptions {
  home?: string;
  url?: string;
  token?: string;
}

/** --url/--token, else EMKIT_URL/EMKIT_TOKEN, else runtime.json of the home. */
export function connect(options: ConnectionOptions): EmkitClient {
  const url = options.url ?? process.env.EMKIT_URL;
  const token = options.token ?? process.env.EMKIT_TOKEN;
  if (url && token) return new EmkitClient({ baseUrl: url, token });
  const home = homePaths(options.home ?? defaultHome()).home;
  const runtime = readRuntimeFile(homePaths(home).runtimeFile);
  if (!runtime) {
    throw new ApiError(
      0,
      'unreachable',
      `no emkit bridge is running for ${home}; start one with \`emkit serve\` (or \`npm start\`)`,
    );
  }
  return new EmkitClient({ baseUrl: url ?? runtime.url, token: token ?? runtime.token });
}
