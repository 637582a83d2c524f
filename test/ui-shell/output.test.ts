import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createOutputView } from '../../lib/ui/shell/output.js';

test('text passes through when nothing is hidden', () => {
  const v = createOutputView();
  assert.is(v.text('hello\r\n'), 'hello\r\n');
  assert.is(v.reveal('x'), '', 'nothing to reveal');
});

test("readline's display of the rewrite is replaced by the prompt and the line as typed", () => {
  const v = createOutputView();
  v.promptStarts();
  assert.is(v.text('\x1b[1m(sbsh) ws\x1b[0m# '), '\x1b[1m(sbsh) ws\x1b[0m# ');
  v.promptEnds();
  assert.is(v.text('./build.sh'), './build.sh');
  assert.is(v.text('\r\x1b[K'), '\r\x1b[K'); // bash clears the line before the hook runs
  v.hide();
  assert.is(v.text('\r(sbsh) ws# __sbsh_run ab12\r\n\x1b[?2004l\r'), '');
  assert.is(v.reveal('./build.sh'), '\x1b[?2004l\x1b[1m(sbsh) ws\x1b[0m# ./build.sh\r\n');
  assert.is(v.text('output'), 'output', 'shown again after the reveal');
});

test('a line that never ran: only the mode switches come out', () => {
  const v = createOutputView();
  v.hide();
  v.text('\r$ __sbsh_run x\x1b[?2004l');
  assert.is(v.reveal(null), '\x1b[?2004l');
});

test('a multi-row prompt: its last row; a redraw of only that row keeps it', () => {
  const v = createOutputView();
  v.promptStarts();
  v.text('user@host ~/ws\r\n$ ');
  v.promptEnds();
  assert.is(v.prompt, '$ ');
  v.text('\r$ ');
  v.promptEnds(); // the redraw after a key binding: its end marker, not its start
  assert.is(v.prompt, '$ ');
});

test('hidden text past the limit is shown after all', () => {
  const v = createOutputView();
  v.hide();
  assert.is(v.text('a'.repeat(64 * 1024)), '');
  assert.is(v.text('b'), 'a'.repeat(64 * 1024) + 'b');
  assert.is(v.reveal('x'), '');
});

test('a prompt start without its end stops being recorded', () => {
  const v = createOutputView();
  v.promptStarts();
  v.text('x'.repeat(9000));
  v.text('y');
  v.promptEnds();
  assert.is(v.prompt, '');
});

test.run();
