import { PREFIX_NAME, type Mode } from './keys.js';
import { textWidth } from './tags.js';

// Where the terminal and the decisions pane go for a given screen size.
// Wide screens put the pane on the right; 80×24 and the like get a bottom
// strip; a screen too small for both hides the pane (it still opens over
// everything when the user asks for the list). Pure.

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Layout {
  placement: 'side' | 'bottom' | 'overlay' | 'hidden';
  terminal: Rect;
  pane: Rect | null;
}

/** Side by side only when the terminal still gets 80 columns next to a useful pane. */
export const SIDE_MIN_COLS = 124;
/** A bottom strip only when the terminal keeps at least 10 rows. */
export const BOTTOM_MIN_ROWS = 16;

const clamp = (n: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, n));

export function computeLayout(cols: number, rows: number, opts: { paneWanted: boolean; listOpen: boolean }): Layout {
  const full: Rect = { left: 0, top: 0, width: cols, height: rows };
  if (!opts.paneWanted && !opts.listOpen) return { placement: 'hidden', terminal: full, pane: null };
  if (cols >= SIDE_MIN_COLS) {
    const width = clamp(Math.round(cols * 0.36), 44, 80);
    return {
      placement: 'side',
      terminal: { left: 0, top: 0, width: cols - width, height: rows },
      pane: { left: cols - width, top: 0, width, height: rows },
    };
  }
  if (rows >= BOTTOM_MIN_ROWS) {
    const height = clamp(Math.round(rows * 0.3), 6, 12);
    return {
      placement: 'bottom',
      terminal: { left: 0, top: 0, width: cols, height: rows - height },
      pane: { left: 0, top: rows - height, width: cols, height },
    };
  }
  if (opts.listOpen) return { placement: 'overlay', terminal: full, pane: full };
  return { placement: 'hidden', terminal: full, pane: null };
}

const TITLES: Record<Mode, string[]> = {
  terminal: [
    ` sbsh decisions · ${PREFIX_NAME} p hide · ${PREFIX_NAME} r reasons `,
    ` decisions · ${PREFIX_NAME} p hide · ${PREFIX_NAME} r reasons `,
    ` ${PREFIX_NAME} p hide · ${PREFIX_NAME} r reasons `,
    ` ${PREFIX_NAME} p/r `,
  ],
  list: [' ↑↓ select · Enter all reasons · Esc back ', ' ↑↓ · Enter reasons · Esc ', ' Enter · Esc '],
  popup: [' Esc close · ↑↓ scroll ', ' Esc '],
};

/** The pane's title (it names the keys), the longest variant that fits a border of `width`. */
export function paneTitle(mode: Mode, width: number): string {
  const variants = TITLES[mode];
  return variants.find((t) => textWidth(t) <= width - 4) ?? '';
}
