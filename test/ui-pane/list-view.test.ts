import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FOLLOWING, moveSelection, paneLines, startSelecting, type ListView } from '../../lib/ui/pane/list-view.js';
import type { Move } from '../../lib/ui/pane/keys.js';
import { applyEvent, type PaneRow } from '../../lib/ui/pane/rows.js';
import { decision } from './events.js';

process.env.TZ = 'UTC';

function rowsOf(n: number): PaneRow[] {
  return Array.from({ length: n }, (_, i) => decision(`r${i}`, { line: `cmd ${i}` })).reduce<PaneRow[]>((rows, e) => applyEvent(rows, e), []);
}

/** The command shown on each visible line, `*` marking the selected one. */
function shown(rows: PaneRow[], view: ListView, height: number): string[] {
  return paneLines(rows, view, 60, height).map((l) => (l.startsWith('{inverse}') ? '*' : '') + (/cmd \d+/.exec(l)?.[0] ?? l));
}

test('paneLines: following, the newest rows fill the box', () => {
  assert.equal(shown(rowsOf(5), FOLLOWING, 3), ['cmd 2', 'cmd 3', 'cmd 4']);
  assert.equal(shown(rowsOf(2), FOLLOWING, 3), ['cmd 0', 'cmd 1']);
});

test('paneLines: empty', () => {
  assert.equal(paneLines([], FOLLOWING, 40, 3), ['no commands yet']);
  assert.equal(paneLines(rowsOf(3), FOLLOWING, 40, 0), []);
});

test('startSelecting: the newest row, in view', () => {
  const rows = rowsOf(5);
  const view = startSelecting(rows, 3);
  assert.equal(shown(rows, view, 3), ['cmd 2', 'cmd 3', '*cmd 4']);
  assert.equal(startSelecting([], 3), FOLLOWING);
});

const MOVES: Array<[string, Move[], string[]]> = [
  ['up once', ['up'], ['cmd 2', '*cmd 3', 'cmd 4']],
  ['up past the top of the window scrolls it', ['up', 'up', 'up'], ['*cmd 1', 'cmd 2', 'cmd 3']],
  ['up past the first row stays', ['first', 'up'], ['*cmd 0', 'cmd 1', 'cmd 2']],
  ['down past the last row stays', ['down'], ['cmd 2', 'cmd 3', '*cmd 4']],
  ['page up moves a window less one', ['page-up'], ['*cmd 2', 'cmd 3', 'cmd 4']],
  ['page down from the top', ['first', 'page-down'], ['cmd 0', 'cmd 1', '*cmd 2']],
  ['first then down', ['first', 'down'], ['cmd 0', '*cmd 1', 'cmd 2']],
  ['first then last', ['first', 'last'], ['cmd 2', 'cmd 3', '*cmd 4']],
];

for (const [name, moves, expected] of MOVES) {
  test(`moveSelection: ${name}`, () => {
    const rows = rowsOf(5);
    const view = moves.reduce((v, m) => moveSelection(rows, v, m, 3), startSelecting(rows, 3));
    assert.equal(shown(rows, view, 3), expected);
  });
}

test('moveSelection: the selection follows its row when new rows arrive and old ones scroll away', () => {
  let rows = rowsOf(5);
  const view = ['first', 'down'].reduce((v, m) => moveSelection(rows, v, m as Move, 3), startSelecting(rows, 3));
  rows = applyEvent(rows, decision('new', { line: 'cmd 5' }), 5);
  assert.equal(shown(rows, view, 3), ['*cmd 1', 'cmd 2', 'cmd 3']);
});

test('moveSelection: when the selected row itself scrolls away, the newest is selected', () => {
  let rows = rowsOf(5);
  const view = moveSelection(rows, startSelecting(rows, 3), 'first', 3);
  rows = applyEvent(rows, decision('new', { line: 'cmd 5' }), 5);
  assert.equal(shown(rows, view, 3), ['cmd 3', 'cmd 4', '*cmd 5']);
});

test.run();
