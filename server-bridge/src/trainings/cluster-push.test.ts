import { describe, expect, it } from 'vitest';
import { pushedPath } from './cluster-push.js';

describe('pushedPath: where a pushed file may land', () => {
  it('takes relative paths inside the folder', () => {
    expect(pushedPath('/t/model', 'model.joblib')).toBe('/t/model/model.joblib');
    expect(pushedPath('/t/model', 'sub/dir/w.pt')).toBe('/t/model/sub/dir/w.pt');
  });

  it.each(['../x', 'a/../../x', './x', 'a//b', '', '/etc/passwd', 'a/\0b', 'a/..'])('refuses %j', (path) => {
    expect(() => pushedPath('/t/model', path)).toThrow(/relative path inside|leaves the folder/);
  });
});
