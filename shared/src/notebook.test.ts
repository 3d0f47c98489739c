import { describe, expect, it } from 'vitest';
import { notebookParameterEntries, notebookParameters } from './notebook.js';

const notebook = (source: string | string[], tags = ['parameters']) => ({
  cells: [
    { cell_type: 'markdown', source: 'lr = 9', metadata: { tags } },
    { cell_type: 'code', source: 'import os', metadata: {} },
    { cell_type: 'code', source, metadata: { tags } },
  ],
});

describe('notebook parameters', () => {
  it('reads the assignments of the cell tagged parameters as --key value text', () => {
    const source = [
      '# defaults\n',
      'lr = 0.01\n',
      "optimizer = 'adam'  # or sgd\n",
      'epochs: int = 5\n',
      'layers = [64, 32]\n',
      'verbose = True\n',
      'name = "run #1"\n',
      'import math\n',
      'x += 1\n',
    ];
    expect(notebookParameters(notebook(source))).toEqual({
      lr: '0.01',
      optimizer: 'adam',
      epochs: '5',
      layers: '[64, 32]',
      verbose: 'True',
      name: 'run #1',
    });
  });

  it('takes the file text too, and gives nothing when no code cell is tagged', () => {
    expect(notebookParameters(JSON.stringify(notebook('lr = 1')))).toEqual({ lr: '1' });
    expect(notebookParameters(notebook('lr = 1', ['other']))).toEqual({});
    expect(notebookParameters({})).toEqual({});
  });

  it('says which values were string literals, so a quoted "5" stays text', () => {
    expect(notebookParameterEntries(notebook(['n = 5\n', 'tag = "5"\n', "r = r'\\d'\n"]))).toEqual([
      { name: 'n', value: '5', quoted: false },
      { name: 'tag', value: '5', quoted: true },
      { name: 'r', value: '\\d', quoted: true },
    ]);
  });
});
