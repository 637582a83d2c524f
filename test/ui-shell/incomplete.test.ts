import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { endsWithContinuation, isIncomplete } from '../../lib/ui/shell/incomplete.js';

const cases: Array<[string, boolean]> = [
  ['ls -la', false],
  ['echo "a', true],
  ["echo 'a", true],
  ['echo `ls', true],
  ['echo $(ls', true],
  ['for i in 1 2; do', true],
  ['for i in 1 2; do\necho $i\ndone', false],
  ['if true; then', true],
  ['echo a |', true],
  ['echo a &&', true],
  ['f() {', true],
  ['(', true],
  ['cat <<EOF\nbody', true],
  ['cat <<EOF\nbody\nEOF', false],
  ['echo a \\', true],
  ['echo a \\\\', false],
  ['fi', false], // an error, not unfinished: bash reports it at once
  ['echo "done" # if then do', false],
];

for (const [text, want] of cases) {
  test(`${JSON.stringify(text)} → ${want ? 'unfinished' : 'complete'}`, async () => {
    assert.is(await isIncomplete(text), want);
  });
}

test('trailing backslashes: odd joins lines, even is a literal backslash', () => {
  assert.ok(endsWithContinuation('a \\'));
  assert.not.ok(endsWithContinuation('a \\\\'));
  assert.ok(endsWithContinuation('a \\\\\\'));
  assert.not.ok(endsWithContinuation('a'));
});

test('a missing bash says "complete" (the planner then sees the raw text)', async () => {
  assert.is(await isIncomplete('echo "a', '/nonexistent/bash'), false);
});

test.run();
