// Aligned tables of the kubectl plugin.
import assert from 'node:assert/strict';
import { cellText, displayWidth, renderFields, renderTable } from '../../../src/cli/table.ts';

describe('kubectl certhost tables', () => {
  it('aligns columns with three spaces and upper-case headers, kubectl style, without trailing blanks', () => {
    const text = renderTable(['Name', 'State', 'Days'], [['shop', 'Hosted', 364], ['a-long-name', 'Issued', 3]]);
    assert.equal(text, [
      'NAME          STATE    DAYS',
      'shop          Hosted   364',
      'a-long-name   Issued   3',
      '',
    ].join('\n'));
  });

  it('counts CJK console labels as two cells wide (spec section 7 labels stay aligned)', () => {
    assert.equal(displayWidth('已托管'), 6);
    assert.equal(displayWidth('Hosted'), 6);
    const lines = renderTable(['Label', 'Count'], [['已托管', 1], ['到期自动部署', 2]]).split('\n');
    // Both counts start in the same terminal column.
    const col = (line: string, ch: string): number => displayWidth(line.slice(0, line.indexOf(ch)));
    assert.equal(col(lines[1] ?? '', '1'), col(lines[2] ?? '', '2'));
    assert.equal(col(lines[1] ?? '', '1'), displayWidth('到期自动部署') + 3);
  });

  it('shows <none> for empty cells and keeps a cell on one line', () => {
    assert.equal(cellText(undefined), '<none>');
    assert.equal(cellText(''), '<none>');
    assert.equal(cellText('', '-'), '-');
    assert.equal(cellText('two\nlines\tand a tab'), 'two lines and a tab');
    assert.equal(cellText(0), '0');
    assert.equal(cellText(false), 'false');
  });

  it('indents nested tables and aligns describe-style fields', () => {
    assert.equal(renderTable(['A'], [['x']], { indent: '  ' }), '  A\n  x\n');
    assert.equal(renderFields([['Name', 'shop'], ['Not After', '2026-01-01T00:00:00Z']]), 'Name:       shop\nNot After:  2026-01-01T00:00:00Z\n');
    assert.equal(renderFields([]), '');
  });
});
