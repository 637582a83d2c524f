import { test } from 'uvu';
import * as assert from 'uvu/assert';
import xterm from '@xterm/headless';
import { cursorCell, renderLine, renderScreen } from '../../lib/ui/pane/render.js';

// Real xterm parsing, then our cell → tag conversion: what a program writes
// is what the blessed region gets.

function terminal(cols = 20, rows = 3) {
  return new xterm.Terminal({ cols, rows, allowProposedApi: true });
}

function written(term: InstanceType<typeof xterm.Terminal>, data: string): Promise<void> {
  return new Promise((resolve) => term.write(data, resolve));
}

async function firstLine(data: string, cols = 20): Promise<string> {
  const term = terminal(cols);
  await written(term, data);
  const buf = term.buffer.active;
  const line = renderLine(buf.getLine(0), cols, buf.getNullCell());
  term.dispose();
  return line;
}

const CASES: Array<[string, string, string]> = [
  ['plain text, trailing blanks dropped', 'hello', 'hello'],
  ['empty line', '', ''],
  ['inner blanks kept', 'a  b', 'a  b'],
  ['basic colour', '\x1b[31mred\x1b[0m ok', '{1-fg}red{/} ok'],
  ['bright colour', '\x1b[92mx', '{10-fg}x{/}'],
  ['256 colour fg and bg', '\x1b[38;5;196;48;5;21mx', '{196-fg,21-bg}x{/}'],
  ['true colour', '\x1b[38;2;255;128;0mx', '{#ff8000-fg}x{/}'],
  ['bold', '\x1b[1mB\x1b[22mn', '{bold}B{/}n'],
  ['bold and colour in one tag', '\x1b[1;32mok', '{bold,2-fg}ok{/}'],
  ['inverse', '\x1b[7m sel \x1b[27m', '{inverse} sel {/}'],
  ['underline and blink', '\x1b[4;5mu', '{underline,blink}u{/}'],
  ['coloured trailing blanks kept', '\x1b[41m  ', '{1-bg}  {/}'],
  ['wide chars emitted once', 'a中文b', 'a中文b'],
  ['braces escaped', '{red-fg}x{/}', '{open}red-fg{close}x{open}/{close}'],
  ['braces inside a coloured run', '\x1b[33m{}', '{3-fg}{open}{close}{/}'],
  ['dim and italic have no tag', '\x1b[2;3mx', 'x'],
  ['runs split on change', '\x1b[31ma\x1b[32mb\x1b[0mc', '{1-fg}a{/}{2-fg}b{/}c'],
];

for (const [name, input, expected] of CASES) {
  test(`renderLine: ${name}`, async () => {
    assert.is(await firstLine(input), expected);
  });
}

test('renderLine: a line longer than cols is cut at cols (xterm wraps it)', async () => {
  assert.is(await firstLine('abcdefghij', 5), 'abcde');
});

test('renderScreen: the visible rows, after scrolling', async () => {
  const term = terminal(10, 2);
  await written(term, 'one\r\ntwo\r\nthree');
  assert.equal(renderScreen(term.buffer.active, 10, 2), ['two', 'three']);
  assert.equal(cursorCell(term.buffer.active, 10), { x: 5, y: 1 });
  term.dispose();
});

test('renderScreen: the alternate screen (full-screen programs)', async () => {
  const term = terminal(10, 3);
  await written(term, 'shell$\x1b[?1049h\x1b[H\x1b[2J\x1b[2;3H\x1b[7mTOP\x1b[m');
  assert.equal(renderScreen(term.buffer.active, 10, 3), ['', '  {inverse}TOP{/}', '']);
  assert.equal(cursorCell(term.buffer.active, 10), { x: 5, y: 1 });
  await written(term, '\x1b[?1049l');
  assert.equal(renderScreen(term.buffer.active, 10, 3)[0], 'shell$');
  term.dispose();
});

test('cursorCell: a pending wrap stays on the last column', async () => {
  const term = terminal(4, 2);
  await written(term, 'abcd');
  assert.equal(cursorCell(term.buffer.active, 4), { x: 3, y: 0 });
  term.dispose();
});

test.run();
