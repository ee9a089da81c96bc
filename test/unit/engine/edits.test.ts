import { strict as assert } from 'node:assert';
import { columnOf, indentOfLine, lineEndOf, lineStartOf } from '../../../server/src/engine';

describe('line helpers of the YAML edits', () => {
  it('the first line starts at 0, even when the text starts with a line break', () => {
    assert.equal(lineStartOf('\nkind: Pod\n', 0), 0);
    assert.equal(lineStartOf('kind: Pod\n', 0), 0);
    assert.equal(columnOf('\nkind: Pod\n', 0), 0);
    assert.equal(lineEndOf('\nkind: Pod\n', 0), 0);
  });

  it('finds the start, end, column and indentation of a line in the middle', () => {
    const text = 'spec:\n  podSelector: {}\n';
    const offset = text.indexOf('podSelector');
    assert.equal(lineStartOf(text, offset), 6);
    assert.equal(lineEndOf(text, offset), text.indexOf('\n', offset));
    assert.equal(columnOf(text, offset), 2);
    assert.equal(indentOfLine(text, offset), '  ');
  });
});
