import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_INPUT_MODES, modeSwitches, type InputModes } from '../../lib/ui/pane/input-modes.js';
import { createTerminalView, type TerminalView } from '../../lib/ui/pane/terminal-view.js';

const ALL_ON: InputModes = { cursorKeys: true, keypad: true, bracketedPaste: true };

const SWITCHES: Array<[string, InputModes | null, InputModes, string]> = [
  ['unknown → defaults sets everything', null, DEFAULT_INPUT_MODES, '\x1b[?1l\x1b>\x1b[?2004l'],
  ['no change, nothing written', DEFAULT_INPUT_MODES, DEFAULT_INPUT_MODES, ''],
  ['vim asks for cursor keys', DEFAULT_INPUT_MODES, { ...DEFAULT_INPUT_MODES, cursorKeys: true }, '\x1b[?1h'],
  ['bash turns on bracketed paste', DEFAULT_INPUT_MODES, { ...DEFAULT_INPUT_MODES, bracketedPaste: true }, '\x1b[?2004h'],
  ['back to defaults on exit', ALL_ON, DEFAULT_INPUT_MODES, '\x1b[?1l\x1b>\x1b[?2004l'],
];
for (const [name, prev, next, expected] of SWITCHES) {
  test(`modeSwitches: ${name}`, () => assert.is(modeSwitches(prev, next), expected));
}

/** Writes to the view and waits for xterm to parse it. */
function fed(view: TerminalView, data: string): Promise<void> {
  return new Promise((resolve) => {
    view.onChange(resolve);
    view.write(data);
  });
}

test('terminal view: tracks the cursor being hidden and shown (DECTCEM)', async () => {
  const view = createTerminalView(20, 5, () => {});
  assert.is(view.cursor().visible, true);
  await fed(view, 'ab\x1b[?25l');
  assert.equal(view.cursor(), { x: 2, y: 0, visible: false });
  await fed(view, '\x1b[?1049h\x1b[?25h');
  assert.is(view.cursor().visible, true);
  await fed(view, '\x1b[?25l\x1bc');
  assert.is(view.cursor().visible, true, 'a full reset shows the cursor');
  view.dispose();
});

test('terminal view: answers the program’s queries through reply', async () => {
  const replies: string[] = [];
  const view = createTerminalView(20, 5, (d) => replies.push(d));
  await fed(view, '\x1b[3;4H\x1b[6n');
  assert.equal(replies, ['\x1b[3;4R']);
  view.dispose();
});

test('terminal view: input modes follow the program', async () => {
  const view = createTerminalView(20, 5, () => {});
  assert.equal(view.inputModes(), DEFAULT_INPUT_MODES);
  await fed(view, '\x1b[?1h\x1b=\x1b[?2004h');
  assert.equal(view.inputModes(), ALL_ON);
  view.dispose();
});

test('terminal view: the bell is passed on', async () => {
  const view = createTerminalView(20, 5, () => {});
  let rang = 0;
  view.onBell(() => rang++);
  await fed(view, 'a\x07b');
  assert.is(rang, 1);
  view.dispose();
});

test('terminal view: resize keeps a usable minimum', () => {
  const view = createTerminalView(20, 5, () => {});
  view.resize(0, 0);
  assert.equal([view.cols, view.rows], [2, 1]);
  view.resize(33, 7);
  assert.equal([view.cols, view.rows], [33, 7]);
  assert.is(view.lines().length, 7);
  view.dispose();
});

test.run();
