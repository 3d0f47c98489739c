import { describe, expect, it } from 'vitest';
import { HttpError } from '../server/errors.js';
import { checkRequirements, requirementSpecifiers } from './requirements.js';

const refusal = (text: string) => {
  try {
    checkRequirements(text);
  } catch (error) {
    return error as HttpError;
  }
  return undefined;
};

describe('requirements text', () => {
  it('takes specifiers, comments, markers, URLs and --hash', () => {
    const text = [
      '# pinned',
      'numpy==2.1.0  # the array library',
      'pandas>=2; python_version >= "3.10"',
      'torch @ https://download.example/torch.whl',
      'requests==2.32.3 --hash=sha256:abc \\',
      '    --hash=sha256:def',
      '',
    ].join('\n');
    expect(refusal(text)).toBeUndefined();
  });

  it.each([
    ['-r /etc/passwd', 1, '-r'],
    ['numpy\n--index-url http://evil.example/simple', 2, '--index-url'],
    ['numpy\n  --extra-index-url=http://evil.example', 2, '--extra-index-url'],
    ['-e .', 1, '-e'],
    ['-c constraints.txt', 1, '-c'],
    ['numpy --config-settings x=y', 1, '--config-settings'],
    // a continuation joins the option to the line pip reads
    ['numpy \\\n--index-url http://evil.example', 1, '--index-url'],
  ])('refuses %j (line %i, %s) with 400 naming the field', (text, line, option) => {
    const error = refusal(text);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 400, field: 'requirements' });
    expect(error?.message).toContain(`line ${line} has the pip option "${option}"`);
  });

  it("gives the specifiers alone, one per logical line, for a Ray job's pip list", () => {
    const text = '# pinned\n\nnumpy==2.1.0  # arrays\npandas>=2; python_version >= "3.10"\nsix \\\n  ==1.16.0\n';
    expect(requirementSpecifiers(text)).toEqual(['numpy==2.1.0', 'pandas>=2; python_version >= "3.10"', 'six    ==1.16.0']);
    expect(requirementSpecifiers('')).toEqual([]);
  });
});
