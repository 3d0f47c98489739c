import { describe, expect, it } from 'vitest';
import { NAME_PATTERN } from '../schemas/common.js';
import { datasetNameFromPath, nameFromFile, noCodeNames, uploadMediaType } from './names.js';

describe('a name from a file', () => {
  it("is the file's name without .ipynb or .py, as the name rule allows", () => {
    expect(nameFromFile('/home/me/work/Churn Model (v2).ipynb')).toBe('churn-model-v2');
    expect(nameFromFile('notebooks/train_mnist.py')).toBe('train_mnist');
    expect(nameFromFile('C:\\Users\\me\\Iris.IPYNB')).toBe('iris');
  });

  it('never starts or ends with "-" or "_", and keeps to 40 characters', () => {
    expect(nameFromFile('__init__.py')).toBe('init');
    const long = nameFromFile(`${'a'.repeat(39)}-b.ipynb`);
    expect(long).toBe('a'.repeat(39));
  });

  it('falls back to "training" when nothing of the name is left', () => {
    expect(nameFromFile('/x/.ipynb')).toBe('training');
    expect(nameFromFile('/x/한글.py')).toBe('training');
    expect(nameFromFile('')).toBe('training');
  });

  it('always gives a name the bridge accepts', () => {
    const rule = new RegExp(NAME_PATTERN);
    for (const path of ['a.py', '-x-.ipynb', 'Ü ber.py', '9lives.ipynb', `${'x_'.repeat(40)}.py`]) {
      expect(nameFromFile(path)).toMatch(rule);
    }
  });
});

describe('an upload', () => {
  it('is offered as a dataset named after its file or folder, as the name rule allows', () => {
    expect(datasetNameFromPath('/home/me/data/Iris Flowers.csv')).toBe('iris-flowers');
    expect(datasetNameFromPath('/home/me/data/shapes/')).toBe('shapes');
    expect(datasetNameFromPath('C:\\data\\Sounds.zip')).toBe('sounds');
    expect(datasetNameFromPath('/tmp/___.parquet')).toBe('dataset');
  });

  it('is sent with the media type its suffix says', () => {
    expect(uploadMediaType('iris.CSV')).toBe('text/csv');
    expect(uploadMediaType('shapes.zip')).toBe('application/zip');
    expect(uploadMediaType('rows.jsonl')).toBe('application/x-ndjson');
    expect(uploadMediaType('notes')).toBe('application/octet-stream');
  });
});

describe("a no-code training's names", () => {
  it('names the model after the data and the type, and the training after the model and the time', () => {
    expect(noCodeNames('digits', 'image-classification', new Date('2026-12-06T23:05:09Z'))).toEqual({
      model: 'digits-image-classification',
      training: 'digits-image-classification-20261206-230509',
    });
  });

  it('keeps both within the name rule for the longest dataset name', () => {
    const names = noCodeNames('d'.repeat(50), 'number-classification', new Date('2026-12-06T00:00:00Z'));
    expect(names.model).toMatch(new RegExp(NAME_PATTERN));
    expect(names.training).toMatch(new RegExp(NAME_PATTERN));
  });
});
