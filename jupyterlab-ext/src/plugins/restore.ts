import { ApiError } from '@emkit/shared';

/** What looking up a restored tab's resource found: it, that it is gone, or a failure that says nothing about it. */
export type Restored<T> = { kind: 'found'; resource: T } | { kind: 'gone' } | { kind: 'failed'; message: string };

/**
 * Looks up the resource of a tab JupyterLab restored after a reload. Only the bridge's 404
 * means the resource is gone (the tab stays closed); any other failure (the bridge restarting,
 * a 500, a refused token) says nothing about it, so the tab is kept and the error shown.
 */
export async function lookUpRestored<T>(get: () => Promise<T>): Promise<Restored<T>> {
  try {
    return { kind: 'found', resource: await get() };
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return { kind: 'gone' };
    return { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
  }
}
