import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { computeLayout, paneTitle, type Layout } from '../../lib/ui/pane/layout.js';

const shown = { paneWanted: true, listOpen: false };
const hidden = { paneWanted: false, listOpen: false };

const CASES: Array<[string, number, number, typeof shown, Layout]> = [
  ['80×24: a bottom strip', 80, 24, shown, {
    placement: 'bottom',
    terminal: { left: 0, top: 0, width: 80, height: 17 },
    pane: { left: 0, top: 17, width: 80, height: 7 },
  }],
  ['100×30: a bottom strip', 100, 30, shown, {
    placement: 'bottom',
    terminal: { left: 0, top: 0, width: 100, height: 21 },
    pane: { left: 0, top: 21, width: 100, height: 9 },
  }],
  ['160×40: side by side, the terminal keeps 80+ columns', 160, 40, shown, {
    placement: 'side',
    terminal: { left: 0, top: 0, width: 102, height: 40 },
    pane: { left: 102, top: 0, width: 58, height: 40 },
  }],
  ['300×80: the side pane stops growing', 300, 80, shown, {
    placement: 'side',
    terminal: { left: 0, top: 0, width: 220, height: 80 },
    pane: { left: 220, top: 0, width: 80, height: 80 },
  }],
  ['80×12: too small, the pane hides itself', 80, 12, shown, {
    placement: 'hidden',
    terminal: { left: 0, top: 0, width: 80, height: 12 },
    pane: null,
  }],
  ['80×12 with the list open: it covers the screen', 80, 12, { paneWanted: true, listOpen: true }, {
    placement: 'overlay',
    terminal: { left: 0, top: 0, width: 80, height: 12 },
    pane: { left: 0, top: 0, width: 80, height: 12 },
  }],
  ['toggled off: the terminal gets everything', 160, 40, hidden, {
    placement: 'hidden',
    terminal: { left: 0, top: 0, width: 160, height: 40 },
    pane: null,
  }],
  ['toggled off but the list opened: shown again', 80, 24, { paneWanted: false, listOpen: true }, {
    placement: 'bottom',
    terminal: { left: 0, top: 0, width: 80, height: 17 },
    pane: { left: 0, top: 17, width: 80, height: 7 },
  }],
];

for (const [name, cols, rows, opts, expected] of CASES) {
  test(`computeLayout: ${name}`, () => assert.equal(computeLayout(cols, rows, opts), expected));
}

test('computeLayout: regions tile the screen exactly, at every size', () => {
  for (let cols = 10; cols <= 320; cols += 7) {
    for (let rows = 5; rows <= 90; rows += 3) {
      const l = computeLayout(cols, rows, shown);
      const t = l.terminal;
      assert.ok(t.width >= 1 && t.height >= 1, `${cols}x${rows}`);
      if (l.placement === 'side') assert.is(t.width + l.pane!.width, cols);
      if (l.placement === 'bottom') assert.is(t.height + l.pane!.height, rows);
      if (l.placement !== 'hidden') assert.ok(l.placement !== 'side' || t.width >= 80, `${cols}x${rows} side leaves ${t.width}`);
    }
  }
});

test('paneTitle: names the keys, shortest variant at narrow widths, never wider than the border', () => {
  assert.is(paneTitle('terminal', 100), ' sbsh decisions · C-] p hide · C-] r reasons ');
  assert.is(paneTitle('terminal', 44), ' decisions · C-] p hide · C-] r reasons ');
  assert.is(paneTitle('terminal', 34), ' C-] p hide · C-] r reasons ');
  assert.is(paneTitle('list', 100), ' ↑↓ select · Enter all reasons · Esc back ');
  for (let w = 0; w < 120; w++) assert.ok(paneTitle('terminal', w).length <= Math.max(0, w - 4));
});

test.run();
